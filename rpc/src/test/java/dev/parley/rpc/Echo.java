package dev.parley.rpc;

import dev.parley.contract.Contract;
import dev.parley.contract.OneWay;
import dev.parley.contract.RequiresScopes;
import java.util.concurrent.CompletionStage;

/** The contract the RPC suites serve: one method per interaction style and behaviour under test. */
@Contract(name = "echo", version = "1.0")
public interface Echo {

    record Msg(String text) {}

    record Slow(long sleepMillis) {}

    record Remaining(long remainingMillis) {}

    Msg echo(Msg request);

    CompletionStage<Msg> later(Msg request);

    @OneWay
    void note(Msg request);

    /** Fails with NOT_FOUND, details {@code text}. */
    Msg missing(Msg request);

    /** Sleeps (interruptibly), then answers the time the handler had left. */
    Remaining slow(Slow request);

    /** Answers only when the test completes the stage the server recorded. */
    CompletionStage<Msg> await(Msg request);

    /** The {@code x-tenant} header the handler saw. */
    Msg tenant(Msg request);

    @RequiresScopes("echo:admin")
    Msg whoAmI(Msg request);
}
