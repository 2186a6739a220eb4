/** Codecs: JSON and CBOR on Jackson, with tolerant reading and read limits. */
@NullMarked
package dev.parley.codec;

import org.jspecify.annotations.NullMarked;
