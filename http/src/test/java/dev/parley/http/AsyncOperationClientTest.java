package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ClientOptions;
import dev.parley.DeadlineExceededException;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.RemoteException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A Parley client calling a request/async-response operation over HTTP whose reply takes longer
 * than the client's {@code Prefer: wait}: the server answers 202 and the client polls the status
 * resource, which the caller never sees. Run over HTTP/1.1 and h2c (TLS is the TLS suites' business).
 */
class AsyncOperationClientTest {

    /** Longer than the client's wait, so that the reply comes through the status resource. */
    private static final long AFTER_THE_WAIT_MILLIS = HttpClientChannel.ASYNC_WAIT_SECONDS * 1000L + 300;

    private final BlockingQueue<CompletableFuture<Waiting.Served>> waiting = new LinkedBlockingQueue<>();

    private interface Scenario {
        void run(Parley client) throws Exception;
    }

    private void withClient(HttpProtocol protocol, Scenario scenario) throws Exception {
        try (HttpTransport serverTransport = HttpTransport.builder().server(0).bindAddress("127.0.0.1").build();
             Parley server = Parley.builder().transport(serverTransport).build();
             HttpTransport clientTransport = HttpTransport.builder().target("http://127.0.0.1:" + serverTransport.port())
                     .protocol(protocol).build();
             Parley client = Parley.builder().transport(clientTransport).build()) {
            server.serve(Waiting.class, request -> {
                CompletableFuture<Waiting.Served> reply = new CompletableFuture<>();
                waiting.add(reply);
                return reply;
            });
            scenario.run(client);
        } finally {
            waiting.forEach(f -> f.cancel(true));
        }
    }

    private static void sleep(long millis) throws InterruptedException {
        // The scenario is about wall-clock HTTP exchanges (the server's wait, Retry-After), not a retry window.
        Thread.sleep(millis);
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP_1_1", "H2C"})
    void aSlowReplyArrivesThroughTheStatusResource(HttpProtocol protocol) throws Exception {
        withClient(protocol, client -> {
            Waiting waits = client.client(Waiting.class, ClientOptions.custom().deadline(Duration.ofSeconds(20)).build());
            CompletableFuture<Waiting.Served> call = waits.await(new Waiting.Ticket("c-1")).toCompletableFuture();
            CompletableFuture<Waiting.Served> onServer = waiting.poll(5, TimeUnit.SECONDS);
            sleep(AFTER_THE_WAIT_MILLIS);
            assertThat(call).isNotDone();
            onServer.complete(new Waiting.Served("c-1"));
            assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(new Waiting.Served("c-1"));
        });
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP_1_1", "H2C"})
    void aSlowFailureArrivesAsTheRemoteError(HttpProtocol protocol) throws Exception {
        withClient(protocol, client -> {
            Waiting waits = client.client(Waiting.class, ClientOptions.custom().deadline(Duration.ofSeconds(20)).build());
            CompletableFuture<Waiting.Served> call = waits.await(new Waiting.Ticket("c-2")).toCompletableFuture();
            CompletableFuture<Waiting.Served> onServer = waiting.poll(5, TimeUnit.SECONDS);
            sleep(AFTER_THE_WAIT_MILLIS);
            onServer.completeExceptionally(ParleyException.of(ErrorCode.CONFLICT, "ticket c-2 was taken"));
            assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(RemoteException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                        assertThat(e.getMessage()).isEqualTo("ticket c-2 was taken");
                    });
        });
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP_1_1", "H2C"})
    void cancellingAfterThe202DeletesTheOperationWhichCancelsTheServerWork(HttpProtocol protocol) throws Exception {
        withClient(protocol, client -> {
            Waiting waits = client.client(Waiting.class, ClientOptions.custom().deadline(Duration.ofSeconds(20)).build());
            CompletableFuture<Waiting.Served> call = waits.await(new Waiting.Ticket("c-3")).toCompletableFuture();
            CompletableFuture<Waiting.Served> onServer = waiting.poll(5, TimeUnit.SECONDS);
            sleep(AFTER_THE_WAIT_MILLIS);
            call.cancel(true);
            // Detached from the connection, the work stops only because of the client's DELETE.
            assertThatThrownBy(() -> onServer.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        });
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP_1_1", "H2C"})
    void theDeadlineBoundsThePolling(HttpProtocol protocol) throws Exception {
        withClient(protocol, client -> {
            Waiting impatient = client.client(Waiting.class, ClientOptions.custom().deadline(Duration.ofMillis(1800)).build());
            long start = System.nanoTime();
            CompletableFuture<Waiting.Served> call = impatient.await(new Waiting.Ticket("c-4")).toCompletableFuture();
            CompletableFuture<Waiting.Served> onServer = waiting.poll(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(DeadlineExceededException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThatThrownBy(() -> onServer.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        });
    }
}
