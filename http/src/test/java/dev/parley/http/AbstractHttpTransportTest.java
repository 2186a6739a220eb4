package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ClientOptions;
import dev.parley.DeadlineExceededException;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.RemoteException;
import dev.parley.TransportException;
import dev.parley.codec.Codec;
import dev.parley.http.Trips.CreateTrip;
import dev.parley.http.Trips.FindTrips;
import dev.parley.http.Trips.Pickup;
import dev.parley.http.Trips.Slow;
import dev.parley.http.Trips.Trip;
import dev.parley.http.Trips.TripId;
import dev.parley.http.Trips.TripList;
import dev.parley.http.Trips.UpdateTrip;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The end-to-end suite: a Parley service served over {@link HttpTransport} and called by a
 * Parley client over {@link HttpTransport}, real sockets on 127.0.0.1. Subclassed once per
 * client protocol.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractHttpTransportTest {

    private HttpTransport serverTransport;
    private HttpTransport clientTransport;
    private Parley server;
    private Parley client;
    private RecordingTrips service;
    private Trips trips;
    private final java.util.concurrent.BlockingQueue<java.util.concurrent.CompletableFuture<Waiting.Served>> waiting =
            new java.util.concurrent.LinkedBlockingQueue<>();

    abstract HttpProtocol protocol();

    /** How many connections the client may open to the server at most. */
    abstract int maxConnections();

    /** The scheme of the client's target URLs. */
    String scheme() {
        return "http";
    }

    /** Adds settings (such as TLS) to the server's transport. */
    HttpTransport.Builder serverSettings(HttpTransport.Builder builder) {
        return builder;
    }

    /** Adds settings (such as TLS) to every client transport. */
    HttpTransport.Builder clientSettings(HttpTransport.Builder builder) {
        return builder;
    }

    @BeforeAll
    void start() {
        serverTransport = serverSettings(HttpTransport.builder().server(0).bindAddress("127.0.0.1")).build();
        server = Parley.builder().service("trip-management").transport(serverTransport).build();
        service = new RecordingTrips();
        server.serve(Trips.class, service);
        server.serve(TripsV2.class, request -> new TripsV2.TripV2(request.id(), "driver of " + request.id()));
        server.serve(Waiting.class, request -> {
            java.util.concurrent.CompletableFuture<Waiting.Served> reply = new java.util.concurrent.CompletableFuture<>();
            waiting.add(reply);
            return reply;
        });
        clientTransport = clientSettings(HttpTransport.builder().target(scheme() + "://127.0.0.1:" + serverTransport.port()).protocol(protocol())).build();
        client = Parley.builder().service("passenger-app").transport(clientTransport).build();
        trips = client.client(Trips.class);
    }

    @AfterAll
    void stop() {
        client.close();
        clientTransport.close();
        server.close();
        serverTransport.close();
    }

    @Test
    void getWithPathVariableAndTypedNotFound() {
        Trip created = trips.create(new CreateTrip("ada", 2));
        assertThat(trips.get(new TripId(created.id()))).isEqualTo(created);

        assertThatThrownBy(() -> trips.get(new TripId("missing/one")))
                .isInstanceOfSatisfying(RemoteException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("trip missing/one not found");
                    assertThat(e.details()).containsEntry("tripId", "missing/one");
                });
    }

    @Test
    void getWithQueryParametersOfEveryShape() {
        trips.create(new CreateTrip("grace", 1));
        trips.create(new CreateTrip("grace", 4));
        TripList found = trips.find(new FindTrips("grace", 3, List.of("night", "airport & back")));
        assertThat(found.rider()).isEqualTo("grace");
        assertThat(found.minSeats()).isEqualTo(3);
        assertThat(found.tags()).containsExactly("night", "airport & back");
        assertThat(found.trips()).extracting(Trip::seats).containsExactly(4);
    }

    @Test
    void postPutPatchAndDelete() {
        Trip created = trips.create(new CreateTrip("alan", 3));
        assertThat(created.status()).isEqualTo("open");

        Trip replaced = trips.replace(new UpdateTrip(created.id(), "alan t.", 5));
        assertThat(replaced).isEqualTo(new Trip(created.id(), "alan t.", 5, "replaced"));

        Trip renamed = trips.rename(new UpdateTrip(created.id(), "a. turing", 0));
        assertThat(renamed).isEqualTo(new Trip(created.id(), "a. turing", 5, "renamed"));

        trips.cancel(new TripId(created.id()));
        assertThat(service.cancelled).contains(created.id());
        assertThatThrownBy(() -> trips.get(new TripId(created.id()))).isInstanceOf(RemoteException.class);
    }

    @Test
    void oneWayIsAcceptedWithoutReply() throws Exception {
        trips.pickup(new Pickup("t-77", "at the gate"));
        assertThat(service.pickups.poll(5, TimeUnit.SECONDS)).isEqualTo(new Pickup("t-77", "at the gate"));
    }

    @Test
    void asyncResponse() throws Exception {
        Trips.Quote quote = trips.quote(new TripId("abc")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(quote).isEqualTo(new Trips.Quote("abc", 126));
    }

    @Test
    void handlerSeesTheCallersDeadline() {
        Trips bounded = client.client(Trips.class, ClientOptions.custom().deadline(Duration.ofMillis(1500)).build());
        long remaining = bounded.slow(new Slow(0)).remainingMillis();
        assertThat(remaining).isPositive().isLessThanOrEqualTo(1500);
    }

    @Test
    void slowHandlerExceedsTheDeadlineAndIsInterrupted() throws Exception {
        Trips impatient = client.client(Trips.class, ClientOptions.custom().deadline(Duration.ofMillis(300)).build());
        long start = System.nanoTime();
        assertThatThrownBy(() -> impatient.slow(new Slow(10_000))).isInstanceOf(DeadlineExceededException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(service.slowInterrupted.await(5, TimeUnit.SECONDS)).isTrue();
        // The aborted exchange leaves the client usable.
        assertThat(trips.slow(new Slow(0)).remainingMillis()).isPositive();
    }

    @Test
    void cancellingTheCallAbortsTheRequestAndTheServerWork() throws Exception {
        Waiting client = this.client.client(Waiting.class, ClientOptions.custom().deadline(Duration.ofSeconds(30)).build());
        java.util.concurrent.CompletableFuture<Waiting.Served> call = client.await(new Waiting.Ticket("w-1")).toCompletableFuture();
        java.util.concurrent.CompletableFuture<Waiting.Served> onServer = waiting.poll(5, TimeUnit.SECONDS);
        assertThat(onServer).isNotNull();
        call.cancel(true);
        // The aborted connection (HTTP/1.1) or reset stream (h2) reaches the dispatcher, which cancels the handler's stage.
        assertThatThrownBy(() -> onServer.get(5, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.CancellationException.class);
        // Other calls are unaffected.
        java.util.concurrent.CompletableFuture<Waiting.Served> next = client.await(new Waiting.Ticket("w-2")).toCompletableFuture();
        waiting.poll(5, TimeUnit.SECONDS).complete(new Waiting.Served("w-2"));
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo(new Waiting.Served("w-2"));
    }

    @Test
    void cborBothWays() {
        Trips cbor = client.client(Trips.class, ClientOptions.custom().codec(Codec.cbor()).build());
        Trip created = cbor.create(new CreateTrip("barbara", 2));
        assertThat(cbor.get(new TripId(created.id()))).isEqualTo(created);
        assertThat(cbor.find(new FindTrips("barbara", 1, List.of("x"))).trips()).containsExactly(created);
        assertThatThrownBy(() -> cbor.get(new TripId("nope")))
                .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void secondMajorVersionServedSideBySide() {
        TripsV2 v2 = client.client(TripsV2.class);
        assertThat(v2.get(new TripsV2.TripId("t-9"))).isEqualTo(new TripsV2.TripV2("t-9", "driver of t-9"));
        Trip created = trips.create(new CreateTrip("v1 rider", 1));
        assertThat(trips.get(new TripId(created.id())).rider()).isEqualTo("v1 rider");
    }

    @Test
    void manyConcurrentCalls() {
        Trip created = trips.create(new CreateTrip("many", 1));
        List<Trip> results = IntStream.range(0, 64).parallel().mapToObj(i -> trips.get(new TripId(created.id()))).toList();
        assertThat(results).hasSize(64).allMatch(created::equals);
        assertThat(serverTransport.openServerConnections()).isBetween(1, maxConnections());
    }

    @Test
    void refusedConnectionIsUnavailableQuickly() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (HttpTransport nowhere = clientSettings(HttpTransport.builder().target(scheme() + "://127.0.0.1:" + closedPort).protocol(protocol())).build();
             Parley p = Parley.builder().transport(nowhere).build()) {
            Trips unreachable = p.client(Trips.class);
            long start = System.nanoTime();
            assertThatThrownBy(() -> unreachable.get(new TripId("x")))
                    .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }
}
