package dev.parley.discovery;

import dev.parley.contract.Contract;
import dev.parley.contract.Idempotent;

/** Major version 2 of {@link Echo}. */
@Contract(name = "echo", version = "2.0")
public interface EchoV2 {

    record Ask(String text) {}

    record Answer(String instance, String text) {}

    @Idempotent
    Answer ask(Ask request);
}
