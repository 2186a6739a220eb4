package dev.parley.discovery;

import java.time.Duration;

/** The embedded registry's bounds on what clients may ask for. */
record RegistryLimits(Duration minTtl, Duration maxTtl, int maxInstances, int maxWatches) {}
