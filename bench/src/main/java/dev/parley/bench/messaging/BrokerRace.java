package dev.parley.bench.messaging;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.parley.messaging.MessagingOptions;
import dev.parley.messaging.kafka.KafkaTransport;
import dev.parley.messaging.nats.NatsTransport;
import dev.parley.messaging.rabbitmq.RabbitMqTransport;
import dev.parley.transport.InProcessTransport;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;

/**
 * Publish-to-consume throughput and end-to-end latency of Parley against each broker's own
 * Java client used directly with the same guarantees, side by side in one run (see
 * docs/benchmarks.md, "Messaging"):
 *
 * <pre>
 * bench/messaging.sh rabbitmq|kafka|nats|inprocess [messages=20000] [payloadBytes=256] [rounds=3]
 * </pre>
 *
 * Each round runs the raw client and Parley once, alternating which goes first, on fresh
 * channels. The verdict compares medians over the rounds: Parley's throughput at least 0.9x the
 * raw client's and its p99 latency at most 1.2x. {@code inprocess} measures events per second
 * delivered by the in-process transport to 4 subscribing groups (no peer to compare with).
 */
public final class BrokerRace {

    private BrokerRace() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: BrokerRace rabbitmq|kafka|nats|inprocess [messages=20000] [payloadBytes=256] [rounds=3]");
            System.exit(2);
        }
        String broker = args[0].toLowerCase(Locale.ROOT);
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int payload = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        System.out.printf("MESSAGING %s messages=%d payload_bytes=%d rounds=%d window=%d cpus=%d%n", broker, messages, payload, rounds,
                Race.WINDOW, Runtime.getRuntime().availableProcessors());
        if (broker.equals("inprocess")) {
            fanOut(messages, payload, rounds);
            return;
        }
        Brokers brokers = Brokers.start(broker);
        try {
            List<Race.Result> raw = new ArrayList<>();
            List<Race.Result> parley = new ArrayList<>();
            // One unmeasured warm-up pair: JIT, connections, the broker's first queue.
            race(brokers, Math.min(messages, 5_000), payload, true, new ArrayList<>(), new ArrayList<>());
            for (int round = 1; round <= rounds; round++) {
                race(brokers, messages, payload, round % 2 == 1, raw, parley);
                print(broker, round, raw.getLast());
                print(broker, round, parley.getLast());
            }
            double throughput = median(parley.stream().mapToDouble(Race.Result::perSecond).toArray())
                    / median(raw.stream().mapToDouble(Race.Result::perSecond).toArray());
            double p99 = median(parley.stream().mapToDouble(Race.Result::p99Micros).toArray())
                    / median(raw.stream().mapToDouble(Race.Result::p99Micros).toArray());
            System.out.printf("MESSAGING-VERDICT %s throughput_ratio=%.2f (target >= 0.90) %s p99_ratio=%.2f (target <= 1.20) %s%n", broker,
                    throughput, throughput >= 0.9 ? "PASS" : "MISS", p99, p99 <= 1.2 ? "PASS" : "MISS");
            // CPU per message (medians): what each side costs, which a loaded machine changes far less than its rate.
            double rawCpu = median(raw.stream().mapToDouble(Race.Result::cpuMicrosPerMessage).toArray());
            double parleyCpu = median(parley.stream().mapToDouble(Race.Result::cpuMicrosPerMessage).toArray());
            double rawBroker = median(raw.stream().mapToDouble(Race.Result::brokerCpuMicrosPerMessage).toArray());
            double parleyBroker = median(parley.stream().mapToDouble(Race.Result::brokerCpuMicrosPerMessage).toArray());
            System.out.printf("MESSAGING-CPU %s raw_us_per_msg=%.1f parley_us_per_msg=%.1f cpu_ratio=%.2f broker_raw_us_per_msg=%.1f"
                    + " broker_parley_us_per_msg=%.1f%n", broker, rawCpu, parleyCpu, parleyCpu / rawCpu, rawBroker, parleyBroker);
        } finally {
            brokers.close();
        }
    }

    private static void race(Brokers brokers, int messages, int payload, boolean rawFirst, List<Race.Result> raw,
                             List<Race.Result> parley) throws Exception {
        for (boolean rawTurn : rawFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
            String run = UUID.randomUUID().toString().substring(0, 8);
            try (Race.Contender c = rawTurn ? brokers.raw(run) : brokers.parley(run)) {
                (rawTurn ? raw : parley).add(Race.run(c, messages, payload));
            } finally {
                if (!rawTurn) {
                    brokers.cleanParley(run);
                }
            }
        }
    }

    private static void print(String broker, int round, Race.Result r) {
        System.out.printf("MESSAGING %s round=%d %-14s msgs_per_s=%.0f p50_us=%.0f p99_us=%.0f cpu_us_per_msg=%.1f broker_cpu_us_per_msg=%.1f%n",
                broker, round, r.label(), r.perSecond(), r.p50Micros(), r.p99Micros(), r.cpuMicrosPerMessage(),
                r.brokerCpuMicrosPerMessage());
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The in-process transport fanning each event out to 4 consumer groups. */
    private static void fanOut(int messages, int payload, int rounds) throws Exception {
        for (int round = 0; round <= rounds; round++) {
            try (InProcessTransport transport = InProcessTransport.create();
                 dev.parley.Parley publisherRuntime = dev.parley.Parley.builder().service("pub").transport(transport).build()) {
                int groups = 4;
                CountDownLatch done = new CountDownLatch(messages * groups);
                AtomicLong delivered = new AtomicLong();
                List<dev.parley.Parley> subscribers = new ArrayList<>();
                for (int g = 0; g < groups; g++) {
                    dev.parley.Parley s = dev.parley.Parley.builder().service("sub-" + g).transport(transport).build();
                    s.subscribe(ParleyContender.RaceEvents.class, tick -> {
                        delivered.incrementAndGet();
                        done.countDown();
                        return CompletableFuture.completedFuture(null);
                    }, "group-" + g);
                    subscribers.add(s);
                }
                ParleyContender.RaceEvents publisher = publisherRuntime.publisher(ParleyContender.RaceEvents.class);
                String pad = Race.pad(payload);
                Semaphore window = new Semaphore(Race.WINDOW);
                long start = System.nanoTime();
                for (int i = 0; i < messages; i++) {
                    window.acquire();
                    publisher.tick(new ParleyContender.Tick(System.nanoTime(), pad)).whenComplete((v, e) -> window.release());
                }
                if (!done.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("fan-out delivered " + delivered.get() + " of " + messages * groups);
                }
                long elapsed = System.nanoTime() - start;
                subscribers.forEach(dev.parley.Parley::close);
                if (round > 0) { // round 0 warms up
                    System.out.printf("MESSAGING inprocess round=%d fan-out groups=%d events_per_s=%.0f deliveries_per_s=%.0f%n", round, groups,
                            messages * 1e9 / elapsed, messages * groups * 1e9 / elapsed);
                }
            }
        }
    }

    /** The broker under test: how to make each contender, and how to clean up after Parley's. */
    private interface Brokers extends AutoCloseable {
        Race.Contender raw(String run) throws Exception;

        Race.Contender parley(String run) throws Exception;

        void cleanParley(String run) throws Exception;

        @Override
        default void close() throws Exception { }

        static Brokers start(String broker) throws Exception {
            MessagingOptions options = MessagingOptions.builder().prefetch(Race.WINDOW).build();
            return switch (broker) {
                case "rabbitmq" -> new Brokers() {
                    @Override
                    public Race.Contender raw(String run) throws Exception {
                        return new RabbitRaw("127.0.0.1", 5672, run);
                    }

                    @Override
                    public Race.Contender parley(String run) {
                        return new ParleyContender("parley-rabbitmq", "race-" + run,
                                () -> RabbitMqTransport.builder().host("127.0.0.1").port(5672).options(options).build());
                    }

                    @Override
                    public void cleanParley(String run) throws Exception {
                        ConnectionFactory f = new ConnectionFactory();
                        f.setHost("127.0.0.1");
                        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
                            for (String queue : RabbitNames.queuesOf(ParleyContender.channel(), "race-" + run)) {
                                ch.queueDelete(queue);
                            }
                        }
                    }
                };
                case "nats" -> new Brokers() {
                    @Override
                    public Race.Contender raw(String run) throws Exception {
                        return new NatsRaw("nats://127.0.0.1:4222", run);
                    }

                    @Override
                    public Race.Contender parley(String run) {
                        return new ParleyContender("parley-nats", "race-" + run,
                                () -> NatsTransport.builder().url("nats://127.0.0.1:4222").options(options).build());
                    }

                    @Override
                    public void cleanParley(String run) throws Exception {
                        try (io.nats.client.Connection nc = Nats.connect("nats://127.0.0.1:4222")) {
                            var jsm = nc.jetStreamManagement();
                            for (String stream : jsm.getStreamNames()) {
                                if (stream.startsWith(NatsNames.streamPrefix(ParleyContender.channel()))) {
                                    try {
                                        jsm.deleteStream(stream);
                                    } catch (JetStreamApiException e) {
                                        // already gone
                                    }
                                }
                            }
                        }
                    }
                };
                case "kafka" -> {
                    Object kafka = Class.forName("dev.parley.messaging.kafka.KafkaTestBroker").getMethod("create").invoke(null);
                    kafka.getClass().getMethod("start").invoke(kafka);
                    String bootstrap = (String) kafka.getClass().getMethod("bootstrapServers").invoke(kafka);
                    yield new Brokers() {
                        @Override
                        public Race.Contender raw(String run) throws Exception {
                            return new KafkaRaw(bootstrap, run, KafkaNames.PARTITIONS);
                        }

                        @Override
                        public Race.Contender parley(String run) {
                            return new ParleyContender("parley-kafka", "race-" + run,
                                    () -> KafkaTransport.builder().bootstrapServers(bootstrap).options(options)
                                            .partitions(KafkaNames.PARTITIONS).build());
                        }

                        @Override
                        public void cleanParley(String run) throws Exception {
                            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                                admin.deleteTopics(List.of(ParleyContender.channel())).all().get(30, TimeUnit.SECONDS);
                            }
                        }

                        @Override
                        public void close() throws Exception {
                            kafka.getClass().getMethod("kill").invoke(kafka);
                        }
                    };
                }
                default -> throw new IllegalArgumentException("broker: '" + broker + "' (expected: rabbitmq, kafka, nats or inprocess)");
            };
        }
    }

    /** Names the RabbitMQ transport gives a group's queues (docs/brokers/rabbitmq.md). */
    static final class RabbitNames {
        private RabbitNames() {}

        static List<String> queuesOf(String channel, String group) {
            String q = channel + "." + group;
            return List.of(q, q + ".retry", channel + "." + group + ".dead-letter");
        }
    }

    /** How the NATS transport names a channel's stream (docs/brokers/nats.md). */
    static final class NatsNames {
        private NatsNames() {}

        static String streamPrefix(String channel) {
            return channel.replace('.', '_');
        }
    }

    /** The partition count both Kafka contenders use. */
    static final class KafkaNames {
        static final int PARTITIONS = 3;

        private KafkaNames() {}
    }
}
