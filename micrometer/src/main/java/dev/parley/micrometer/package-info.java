/**
 * Micrometer metrics for Parley: {@link dev.parley.micrometer.ParleyMetrics} records every call a
 * runtime makes or serves, and binds the runtime's Resilience4j circuit breaker and bulkhead
 * gauges.
 */
package dev.parley.micrometer;
