package dev.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.Parley;
import dev.parley.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The client half of the HTTP comparison: {@code callers} virtual threads in a closed loop, each
 * calling {@code POST /v1/echo} on 127.0.0.1:{@code port} and waiting for the reply before the
 * next call, through either
 *
 * <ul>
 *   <li>{@code parley}: a Parley client proxy of {@link HttpEcho} over {@link HttpTransport}
 *       (HTTP/1.1, the pool bounded at {@code callers} connections), or</li>
 *   <li>{@code jdk}: {@link java.net.http.HttpClient} (HTTP/1.1), encoding the request and
 *       decoding the reply with Jackson as Parley does.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks.jar dev.parley.bench.HttpClientLoad &lt;parley|jdk&gt; &lt;port&gt; [callers=64] [warmupSeconds=10] [measureSeconds=20]
 * </pre>
 *
 * Prints one {@link LoadResult} line labelled {@code client-parley} or {@code client-jdk}.
 */
public final class HttpClientLoad {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpClientLoad() {}

    /** One synchronous echo call. */
    @FunctionalInterface
    interface Caller {
        HttpEcho.Pong call(HttpEcho.Ping ping) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: HttpClientLoad <parley|jdk> <port> [callers=64] [warmupSeconds=10] [measureSeconds=20]");
            System.exit(2);
        }
        String client = args[0];
        int port = Integer.parseInt(args[1]);
        int callers = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        long warmup = (args.length > 3 ? Integer.parseInt(args[3]) : 10) * 1000L;
        long measure = (args.length > 4 ? Integer.parseInt(args[4]) : 20) * 1000L;
        LoadResult result = switch (client) {
            case "parley" -> {
                try (HttpTransport transport = HttpTransport.builder().target("http://127.0.0.1:" + port)
                        .maxConnectionsPerHost(callers).build();
                     Parley parley = Parley.builder().service("echo-client").transport(transport).build()) {
                    HttpEcho echo = parley.client(HttpEcho.class);
                    yield run("client-parley", echo::echo, callers, warmup, measure);
                }
            }
            case "jdk" -> {
                try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                    yield run("client-jdk", jdkCaller(http, port), callers, warmup, measure);
                }
            }
            default -> throw new IllegalArgumentException("client: '" + client + "' (expected: parley or jdk)");
        };
        System.out.println(result.line());
    }

    static Caller jdkCaller(HttpClient http, int port) {
        URI uri = URI.create("http://127.0.0.1:" + port + HttpEcho.PATH);
        return ping -> {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(ping)))
                    .build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("POST " + uri + ": status " + response.statusCode());
            }
            return JSON.readValue(response.body(), HttpEcho.Pong.class);
        };
    }

    /** Runs {@code callers} closed loops of {@code caller} on virtual threads. */
    static LoadResult run(String label, Caller caller, int callers, long warmupMillis, long measureMillis)
            throws InterruptedException {
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
        AtomicLong errors = new AtomicLong();
        HttpEcho.Ping ping = HttpEcho.sample();
        HttpEcho.Pong expected = HttpEcho.reply(ping);
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> threads = new ArrayList<>(callers);
        for (int i = 0; i < callers; i++) {
            threads.add(Thread.ofVirtual().name("caller-" + i).start(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    try {
                        HttpEcho.Pong pong = caller.call(ping);
                        recorder.recordValue(Math.min(System.nanoTime() - start, TimeUnit.SECONDS.toNanos(10)));
                        if (!pong.equals(expected)) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        if (errors.incrementAndGet() <= 3) {
                            System.err.println(String.format(Locale.ROOT, "HttpClientLoad %s: call failed: %s", label, e));
                        }
                    }
                }
            }));
        }
        Thread.sleep(warmupMillis);
        recorder.getIntervalHistogram(); // discards the warm-up
        long errorsBefore = errors.get();
        long start = System.nanoTime();
        Thread.sleep(measureMillis);
        Histogram measured = recorder.getIntervalHistogram();
        long elapsed = System.nanoTime() - start;
        long measuredErrors = errors.get() - errorsBefore;
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(15));
        }
        return LoadResult.of(label, measured, elapsed, measuredErrors);
    }
}
