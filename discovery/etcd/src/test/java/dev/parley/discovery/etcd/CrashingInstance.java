package dev.parley.discovery.etcd;

import java.time.Duration;

/**
 * A process that registers one instance in etcd and then does nothing: the test kills it with
 * SIGKILL, so its lease is never revoked and its keep-alives just stop, as in a real crash.
 * Arguments: etcd endpoint, key prefix, instance id.
 */
public final class CrashingInstance {

    private CrashingInstance() {}

    public static void main(String[] args) throws InterruptedException {
        EtcdDiscovery etcd = EtcdDiscovery.builder().endpoints(args[0]).keyPrefix(args[1]).leaseTtl(Duration.ofSeconds(2)).build();
        etcd.register(Instances.trips(args[2], Instances.TRIPS_V1));
        System.out.println("REGISTERED");
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(5));
    }
}
