/** Implementation details shared between Parley's modules; not an API, may change without notice. */
@NullMarked
package dev.parley.internal;

import org.jspecify.annotations.NullMarked;
