package dev.parley.rpc;

import dev.parley.CallContext;
import dev.parley.ErrorCode;
import dev.parley.ParleyException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/** An {@link Echo} that records what reached it. */
final class RecordingEcho implements Echo {

    final BlockingQueue<Msg> notes = new LinkedBlockingQueue<>();
    final BlockingQueue<CompletableFuture<Msg>> awaiting = new LinkedBlockingQueue<>();
    final CountDownLatch slowInterrupted = new CountDownLatch(1);
    final BlockingQueue<String> contentTypes = new LinkedBlockingQueue<>();

    @Override
    public Msg echo(Msg request) {
        dev.parley.CallContext.current().flatMap(c -> c.header("content-type")).ifPresent(contentTypes::add);
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
    public Remaining slow(Slow request) {
        try {
            Thread.sleep(request.sleepMillis());
        } catch (InterruptedException e) {
            slowInterrupted.countDown();
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
    public Msg tenant(Msg request) {
        return new Msg(CallContext.current().orElseThrow().header("x-tenant").orElse("(none)"));
    }

    @Override
    public Msg whoAmI(Msg request) {
        return new Msg(CallContext.current().orElseThrow().caller().orElseThrow().subject());
    }
}
