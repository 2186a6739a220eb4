package com.example.fleet;

import com.example.fleet.FleetService.VehicleId;
import dev.parley.contract.Contract;

/** A misdeclared contract: a method with two parameters. */
@Contract(name = "broken", version = "1.0")
public interface BrokenContract {
    VehicleId assign(VehicleId vehicle, VehicleId driver);
}
