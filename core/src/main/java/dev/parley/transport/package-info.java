/** The transport SPI and the in-process transport, the embedded default. */
@NullMarked
package dev.parley.transport;

import org.jspecify.annotations.NullMarked;
