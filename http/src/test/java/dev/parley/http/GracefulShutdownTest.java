package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Parley;
import dev.parley.contract.Contract;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link HttpTransport#close()}: stop accepting, refuse new requests with 503, finish in-flight calls. */
class GracefulShutdownTest {

    @Contract(name = "drain", version = "1.0")
    public interface Drain {
        record Work(String name) {}

        record Done(String name) {}

        Done work(Work request);
    }

    @Test
    void drainsInFlightCallsAndRefusesNewOnes() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpTransport server = HttpTransport.builder().server(0).bindAddress("127.0.0.1").drainTimeout(Duration.ofSeconds(5)).build();
        Parley serving = Parley.builder().transport(server).build();
        serving.serve(Drain.class, request -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Drain.Done(request.name());
        });
        int port = server.port();
        HttpTransport clientTransport = HttpTransport.builder().target("http://127.0.0.1:" + port).build();
        Parley client = Parley.builder().transport(clientTransport).build();
        try (RawSocket open = new RawSocket(port)) {
            assertThat(open.write("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            Drain drain = client.client(Drain.class);
            CompletableFuture<Drain.Done> inFlight = CompletableFuture.supplyAsync(() -> drain.work(new Drain.Work("last")));
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            RawSocket.Response refused = null;
            for (int i = 0; i < 200 && refused == null; i++) {
                RawSocket.Response r = open.write("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n").read();
                if (r.status() == 503) {
                    refused = r;
                } else {
                    Thread.sleep(10); // polling for the drain to begin, not for correctness
                }
            }
            assertThat(refused).isNotNull();
            assertThat(refused.header("connection")).isEqualTo("close");
            assertThat(open.closedByServer()).isTrue();
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
            assertThat(closing).isNotDone();

            release.countDown();
            assertThat(inFlight.get(5, TimeUnit.SECONDS)).isEqualTo(new Drain.Done("last"));
            closing.get(5, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            client.close();
            clientTransport.close();
            serving.close();
            server.close();
        }
    }
}
