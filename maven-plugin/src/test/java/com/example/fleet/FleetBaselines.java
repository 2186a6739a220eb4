package com.example.fleet;

import com.example.fleet.FleetService.VehicleId;
import dev.parley.contract.Contract;

/**
 * Earlier releases of the "fleet" contract, whose descriptors the plugin tests write as baseline
 * files: one that release 1.1 of {@link FleetService} extends compatibly, and one it breaks.
 */
public final class FleetBaselines {

    private FleetBaselines() {}

    /** 1.0: {@link FleetService} 1.1 adds the optional field {@code color} and the method {@code retire}. */
    public static final class Compatible {
        private Compatible() {}

        public record Vehicle(String id, String plate) {}

        @Contract(name = "fleet", version = "1.0")
        public interface Fleet {
            Vehicle get(VehicleId id);
        }
    }

    /** 1.0: {@link FleetService} 1.1 drops the method {@code scrap} and the field {@code seats}. */
    public static final class Breaking {
        private Breaking() {}

        public record Vehicle(String id, String plate, int seats) {}

        @Contract(name = "fleet", version = "1.0")
        public interface Fleet {
            Vehicle get(VehicleId id);

            Vehicle scrap(VehicleId id);
        }
    }
}
