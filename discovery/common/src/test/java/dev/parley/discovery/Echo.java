package dev.parley.discovery;

import dev.parley.contract.Contract;
import dev.parley.contract.Deadline;
import dev.parley.contract.Idempotent;

/** The contract the discovery tests call: answers with the id of the instance that served the call. */
@Contract(name = "echo", version = "1.0")
public interface Echo {

    record Ask(String text) {}

    record Answer(String instance, String text) {}

    @Idempotent
    @Deadline("PT10S")
    Answer ask(Ask request);

    /** Not idempotent: never retried. */
    Answer once(Ask request);
}
