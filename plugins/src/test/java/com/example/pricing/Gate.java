package com.example.pricing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Lets a test hold a plugin call in flight: plugins see this class through the shared contract package. */
public final class Gate {
    private static volatile CountDownLatch arrived = new CountDownLatch(1);
    private static volatile CountDownLatch release = new CountDownLatch(1);

    private Gate() {}

    public static void reset() {
        arrived = new CountDownLatch(1);
        release = new CountDownLatch(1);
    }

    /** Called by the plugin: signals arrival, then waits (at most 30 s) for the test. */
    public static void pass() throws InterruptedException {
        arrived.countDown();
        release.await(30, TimeUnit.SECONDS);
    }

    public static boolean awaitArrival() throws InterruptedException {
        return arrived.await(30, TimeUnit.SECONDS);
    }

    public static void release() {
        release.countDown();
    }
}
