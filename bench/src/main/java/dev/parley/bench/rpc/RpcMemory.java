package dev.parley.bench.rpc;

import dev.parley.Parley;
import dev.parley.rpc.RpcTransport;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Memory of the binary RPC transport (issue 5, "Measured"): retained heap per idle connection
 * and per call in flight, client and server in this one JVM (so each figure covers both ends).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.parley.bench.rpc.RpcMemory [connections=200] [calls=500]
 * </pre>
 *
 * Idle connections: a client transport with {@code connectionsPerTarget(n)} makes n calls, which
 * open its n connections round-robin; then heap after full GCs, minus the same before. Calls in
 * flight: the server's handler keeps each call's future without completing it (no thread is held:
 * an asynchronous handler), so what stays is what the transport and the dispatcher keep per call.
 * Off-heap: Netty's pooled direct buffers are reported separately.
 */
public final class RpcMemory {

    private RpcMemory() {}

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 500; // the client bulkhead admits 512 by default
        Queue<CompletableFuture<RpcEcho.Blob>> parked = new ConcurrentLinkedQueue<>();
        RpcEcho.Blob blob = new RpcEcho.Blob(RpcBench.PAYLOAD);
        RpcEcho holding = new RpcEcho() {
            @Override
            public CompletionStage<RpcEcho.Blob> echo(RpcEcho.Blob request) {
                CompletableFuture<RpcEcho.Blob> reply = new CompletableFuture<>();
                parked.add(reply);
                return reply;
            }

            @Override
            public void notify(RpcEcho.Blob request) { }
        };
        try (RpcTransport serverRpc = RpcTransport.builder().server(0).bindAddress("127.0.0.1").maxConcurrentCalls(calls + 16).build();
             Parley server = Parley.builder().service("rpc-memory-server").transport(serverRpc).build()) {
            server.serve(RpcEcho.class, holding);
            try (RpcTransport clientRpc = RpcTransport.builder().target("127.0.0.1:" + serverRpc.port())
                    .connectionsPerTarget(connections).build();
                 Parley client = Parley.builder().service("rpc-memory-client").transport(clientRpc).build()) {
                RpcEcho echo = client.client(RpcEcho.class);

                long before = retainedHeap();
                long directBefore = direct();
                // Open every connection with one call each, then answer them: the connections stay, idle.
                List<CompletableFuture<RpcEcho.Blob>> opening = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    opening.add(echo.echo(blob).toCompletableFuture());
                }
                await(parked, connections);
                drain(parked);
                for (CompletableFuture<RpcEcho.Blob> f : opening) {
                    f.get(30, TimeUnit.SECONDS);
                }
                long idle = retainedHeap();
                long directIdle = direct();

                // Calls in flight: parked on the server, waited for by the client.
                List<CompletableFuture<RpcEcho.Blob>> inFlight = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    inFlight.add(echo.echo(blob).toCompletableFuture());
                }
                await(parked, calls);
                long busy = retainedHeap();
                drain(parked);
                for (CompletableFuture<RpcEcho.Blob> f : inFlight) {
                    f.get(30, TimeUnit.SECONDS);
                }

                System.out.printf("RPC-MEMORY connections=%d heap_per_idle_connection_bytes=%d direct_per_idle_connection_bytes=%d%n",
                        connections, (idle - before) / connections, (directIdle - directBefore) / connections);
                System.out.printf("RPC-MEMORY calls=%d heap_per_call_in_flight_bytes=%d%n", calls, (busy - idle) / calls);
            }
        }
    }

    private static void await(Queue<?> parked, int count) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (parked.size() < count) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("only " + parked.size() + " of " + count + " calls reached the server");
            }
            Thread.sleep(10);
        }
    }

    private static void drain(Queue<CompletableFuture<RpcEcho.Blob>> parked) {
        CompletableFuture<RpcEcho.Blob> f;
        RpcEcho.Blob blob = new RpcEcho.Blob(RpcBench.PAYLOAD);
        while ((f = parked.poll()) != null) {
            f.complete(blob);
        }
    }

    /** Heap in use after full collections, the smallest of a few readings. */
    private static long retainedHeap() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    private static long direct() {
        long used = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used += pool.getMemoryUsed();
            }
        }
        return used;
    }
}
