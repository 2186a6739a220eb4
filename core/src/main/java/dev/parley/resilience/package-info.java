/** Resilience policies applied to every outbound call: breaker, bulkhead, retries with budget, fallbacks. */
@NullMarked
package dev.parley.resilience;

import org.jspecify.annotations.NullMarked;
