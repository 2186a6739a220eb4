package dev.parley.testkit.suite;

import dev.parley.CallContext;
import dev.parley.ErrorCode;
import dev.parley.ParleyException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;

/** The {@link SuiteEcho} service of {@link TransportSuite}: records what reached it. */
final class RecordingSuiteEcho implements SuiteEcho {

    final BlockingQueue<Msg> notes = new LinkedBlockingQueue<>();
    final BlockingQueue<CompletableFuture<Msg>> awaiting = new LinkedBlockingQueue<>();
    final BlockingQueue<String> interrupted = new LinkedBlockingQueue<>();

    @Override
    public Msg echo(Msg request) {
        return request;
    }

    @Override
    public CompletionStage<Msg> later(Msg request) {
        return CompletableFuture.supplyAsync(() -> new Msg("later " + request.text()));
    }

    @Override
    public void note(Msg request) {
        notes.add(request);
    }

    @Override
    public Msg missing(Msg request) {
        throw ParleyException.of(ErrorCode.NOT_FOUND, request.text() + " not found", Map.of("text", request.text()));
    }

    @Override
    public Msg broken(Msg request) {
        throw new IllegalStateException("secret internal detail " + request.text());
    }

    @Override
    public Remaining slow(Slow request) {
        try {
            Thread.sleep(request.sleepMillis());
        } catch (InterruptedException e) {
            interrupted.add("slow " + request.sleepMillis());
            Thread.currentThread().interrupt();
            throw ParleyException.of(ErrorCode.CANCELLED, "interrupted");
        }
        return new Remaining(CallContext.current().orElseThrow().remaining().toMillis());
    }

    @Override
    public CompletionStage<Msg> await(Msg request) {
        CompletableFuture<Msg> reply = new CompletableFuture<>();
        awaiting.add(reply);
        return reply;
    }

    @Override
    public Msg headers(Msg request) {
        CallContext context = CallContext.current().orElseThrow();
        return new Msg(context.header("x-tenant").orElse("(none)") + " " + context.traceparent().orElse("(none)"));
    }

    @Override
    public Msg whoAmI(Msg request) {
        return new Msg(CallContext.current().orElseThrow().caller().orElseThrow().subject());
    }
}
