package com.example.rides;

import dev.parley.contract.Contract;
import dev.parley.contract.Default;
import dev.parley.contract.OneWay;

/**
 * A contract outside Parley's packages, for {@code ContractClassLoaderTest}: its class files are
 * copied into a temporary class path the way a build tool finds a project's compiled contracts.
 */
@Contract(name = "rides", version = "1.3")
public interface RideService {

    record RideRequest(String rider, @Default("1") int seats) {}

    record Ride(String id, String driver) {}

    Ride book(RideRequest request);

    @OneWay
    void forget(Ride ride);
}
