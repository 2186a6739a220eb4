package dev.parley.http;

import dev.parley.contract.Contract;
import java.util.concurrent.CompletionStage;

/** A contract whose replies wait until the test says so: for cancellation tests. */
@Contract(name = "waiting", version = "1.0")
public interface Waiting {

    record Ticket(String id) {}

    record Served(String id) {}

    CompletionStage<Served> await(Ticket request);
}
