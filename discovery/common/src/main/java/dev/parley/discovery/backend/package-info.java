/**
 * Building blocks for writing a {@link dev.parley.discovery.DiscoveryBackend} against a
 * registry's HTTP API: a newline-delimited streaming body read with timeouts
 * ({@link dev.parley.discovery.backend.LineStream}) and a clock-driven, wakeable retry pause
 * with jittered back-off ({@link dev.parley.discovery.backend.RetryPause}). The etcd and
 * Kubernetes backends use them.
 */
@NullMarked
package dev.parley.discovery.backend;

import org.jspecify.annotations.NullMarked;
