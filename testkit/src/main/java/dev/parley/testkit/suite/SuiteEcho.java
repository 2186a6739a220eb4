package dev.parley.testkit.suite;

import dev.parley.contract.Contract;
import dev.parley.contract.OneWay;
import dev.parley.contract.RequiresScopes;
import java.util.concurrent.CompletionStage;

/** The contract {@link TransportSuite} serves: one method per interaction style and behaviour under test. */
@Contract(name = "suite-echo", version = "1.0")
public interface SuiteEcho {

    /** A message. */
    record Msg(String text) {}

    /** Asks the handler to sleep. */
    record Slow(long sleepMillis) {}

    /** The time the handler had left. */
    record Remaining(long remainingMillis) {}

    /** Answers its request. */
    Msg echo(Msg request);

    /** Answers asynchronously. */
    CompletionStage<Msg> later(Msg request);

    /** Records the message; no reply. */
    @OneWay
    void note(Msg request);

    /** Fails with NOT_FOUND, details {@code text}. */
    Msg missing(Msg request);

    /** Throws an unexpected exception whose message must not reach the caller. */
    Msg broken(Msg request);

    /** Sleeps (interruptibly), then answers the time the handler had left. */
    Remaining slow(Slow request);

    /** Answers only when the test completes the stage the server recorded. */
    CompletionStage<Msg> await(Msg request);

    /** The {@code x-tenant} header and the trace parent the handler saw. */
    Msg headers(Msg request);

    /** The caller's subject; needs scope {@code echo:admin}. */
    @RequiresScopes("echo:admin")
    Msg whoAmI(Msg request);
}
