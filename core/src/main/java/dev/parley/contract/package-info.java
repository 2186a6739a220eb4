/** Contracts: the annotations that declare them, their descriptors, and the compatibility check. */
@NullMarked
package dev.parley.contract;

import org.jspecify.annotations.NullMarked;
