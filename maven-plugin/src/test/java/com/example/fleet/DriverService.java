package com.example.fleet;

import dev.parley.contract.Contract;

/** A second contract, so that the plugin tests cover several contracts in one project. */
@Contract(name = "drivers", version = "2.0")
public interface DriverService {

    record DriverId(String id) {}

    record Driver(String id, String name) {}

    Driver get(DriverId id);
}
