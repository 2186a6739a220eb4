package com.example.fleet;

import dev.parley.contract.Contract;
import dev.parley.contract.OneWay;
import java.util.Optional;

/** The contract the plugin tests build: release 1.1 of "fleet". */
@Contract(name = "fleet", version = "1.1")
public interface FleetService {

    record VehicleId(String id) {}

    record Vehicle(String id, String plate, Optional<String> color) {}

    Vehicle get(VehicleId id);

    @OneWay
    void retire(VehicleId id);
}
