/** The envelope every transport carries: headers and body. */
@NullMarked
package dev.parley.message;

import org.jspecify.annotations.NullMarked;
