/** Parley's runtime: {@link dev.parley.Parley}, client options, the call context, the error model and the clock. */
@NullMarked
package dev.parley;

import org.jspecify.annotations.NullMarked;
