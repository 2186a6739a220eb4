package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.contract.Contract;
import dev.parley.contract.ContractDescriptor;
import dev.parley.transport.InProcessTransport;
import dev.parley.transport.Registration;
import org.junit.jupiter.api.Test;

class ServedContractsTest {

    record Ping(String text) {}

    @Contract(name = "pinger", version = "1.2")
    interface Pinger {
        Ping ping(Ping request);
    }

    @Contract(name = "pinger", version = "2.0")
    interface PingerV2 {
        Ping ping(Ping request);
    }

    @Test
    void listsWhatIsServedUntilTheRegistrationCloses() {
        try (InProcessTransport transport = InProcessTransport.create();
             Parley parley = Parley.builder().service("pinger").transport(transport).build()) {
            assertThat(parley.served()).isEmpty();

            Registration v1 = parley.serve(Pinger.class, request -> request);
            Registration v2 = parley.serve(PingerV2.class, request -> request);
            assertThat(parley.served()).containsExactly(ContractDescriptor.of(Pinger.class), ContractDescriptor.of(PingerV2.class));
            assertThat(parley.served()).extracting(d -> d.name() + "/v" + d.version().major()).containsExactly("pinger/v1", "pinger/v2");

            v1.close();
            assertThat(parley.served()).containsExactly(ContractDescriptor.of(PingerV2.class));
            v2.close();
            assertThat(parley.served()).isEmpty();
        }
    }
}
