package dev.parley.cli;

import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.codec.Codec;
import dev.parley.codec.DecodingException;
import dev.parley.contract.ContractClassLoader;
import dev.parley.contract.ContractDescriptor;
import dev.parley.contract.ContractException;
import dev.parley.contract.InteractionStyle;
import dev.parley.contract.MethodDescriptor;
import dev.parley.messaging.BrokerTransport;
import dev.parley.messaging.kafka.KafkaTransport;
import dev.parley.messaging.nats.NatsTransport;
import dev.parley.messaging.rabbitmq.RabbitMqTransport;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parley publish}: publishes one event of a compiled contract to a broker, the way a
 * service's publisher proxy would (same channel names, headers, codec and confirmation), so that
 * subscribers can be tried out without writing a publisher:
 *
 * <pre>
 * parley publish --classpath app.jar --contract com.example.TripEvents --event tripCreated \
 *     --broker rabbitmq --url amqp://guest:guest@127.0.0.1:5672 --data '{"tripId":"t-1"}'
 * </pre>
 *
 * <p>It returns once the broker confirmed the event (exit code 0), with 2 for bad input (an
 * unknown method, data that does not decode into the event's message, naming the field) and 4
 * when the broker refused or could not be reached.
 */
@Command(name = "publish",
        description = "Publishes one event of a compiled contract to RabbitMQ, Kafka or NATS JetStream and waits for the broker's confirmation.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:published and confirmed by the broker",
            "2:bad input: class path, contract, event name or data",
            "3:internal error",
            "4:the broker could not be reached or refused the event"})
final class PublishCommand implements Callable<Integer> {

    /** Exit code when the broker cannot be reached or does not confirm. */
    static final int BROKER_FAILED = 4;
    /** The largest event accepted on the command line or from a file. */
    static final int MAX_DATA_BYTES = 1 << 20;

    @Option(names = {"--classpath", "-cp"}, required = true, paramLabel = "<path>",
            description = "Class directories and jars holding the contract and its messages, separated by '${sys:path.separator}'.")
    String classpath;

    @Option(names = "--contract", required = true, paramLabel = "<class>", description = "Fully qualified name of the contract interface.")
    String contractClass;

    @Option(names = "--event", required = true, paramLabel = "<method>", description = "The contract's @Event method to publish.")
    String event;

    @Option(names = "--broker", required = true, paramLabel = "<broker>", description = "rabbitmq, kafka or nats.")
    String broker;

    @Option(names = "--url", required = true, paramLabel = "<url>",
            description = "amqp://user:pass@host:port for RabbitMQ, host:port[,host:port] for Kafka, nats://host:port for NATS.")
    String url;

    @ArgGroup(multiplicity = "1")
    Data data;

    static final class Data {
        @Option(names = "--data", paramLabel = "<json>", description = "The event's message as JSON.")
        String json;

        @Option(names = "--data-file", paramLabel = "<file>", description = "A file holding the event's message as JSON.")
        Path file;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        byte[] json = data();
        try (ContractClassLoader loader = ContractClassLoader.of(Classpaths.entries(classpath), ParleyCommand.class.getClassLoader())) {
            Class<?> contract = Classpaths.load(loader, contractClass, classpath);
            ContractDescriptor descriptor = descriptor(contract);
            Method method = eventMethod(contract, descriptor);
            Object message = decode(json, method);
            try (BrokerTransport transport = transport();
                 Parley parley = Parley.builder().service("parley-cli").transport(transport).build()) {
                Object publisher = parley.publisher(contract);
                try {
                    method.invoke(publisher, message);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            } catch (ParleyException | IllegalStateException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("parley publish: " + broker + " at " + url + " did not confirm " + descriptor.address() + "." + event + ": "
                        + e.getMessage());
                err.flush();
                return BROKER_FAILED;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("published " + descriptor.address() + "." + event + " to " + broker + " at " + url + " (confirmed)");
            out.flush();
            return 0;
        }
    }

    private byte[] data() {
        byte[] bytes;
        if (data.file != null) {
            try {
                if (Files.size(data.file) > MAX_DATA_BYTES) {
                    throw new InputException("--data-file " + data.file + " holds " + Files.size(data.file) + " bytes (expected: at most "
                            + MAX_DATA_BYTES + ")");
                }
                bytes = Files.readAllBytes(data.file);
            } catch (IOException e) {
                throw new InputException("--data-file " + data.file + " cannot be read: " + e, e);
            }
        } else {
            bytes = data.json.getBytes(StandardCharsets.UTF_8);
        }
        if (bytes.length > MAX_DATA_BYTES) {
            throw new InputException("--data holds " + bytes.length + " bytes (expected: at most " + MAX_DATA_BYTES + ")");
        }
        return bytes;
    }

    private ContractDescriptor descriptor(Class<?> contract) {
        try {
            return ContractDescriptor.of(contract);
        } catch (ContractException e) {
            throw new InputException(contractClass + " is not a valid contract: " + e.getMessage(), e);
        }
    }

    private Method eventMethod(Class<?> contract, ContractDescriptor descriptor) {
        List<String> events = descriptor.methods().stream()
                .filter(m -> m.style() == InteractionStyle.PUBLISH_SUBSCRIBE)
                .map(MethodDescriptor::name)
                .toList();
        if (!events.contains(event)) {
            throw new InputException("--event '" + event + "' is not an @Event method of " + descriptor.address()
                    + " (expected one of: " + (events.isEmpty() ? "none, it declares no events" : String.join(", ", events)) + ")");
        }
        return Arrays.stream(contract.getMethods())
                .filter(m -> m.getName().equals(event) && m.getParameterCount() == 1)
                .findFirst()
                .orElseThrow(() -> new InputException("--event '" + event + "' of " + descriptor.address() + " takes no message"));
    }

    private Object decode(byte[] json, Method method) {
        Type type = method.getGenericParameterTypes()[0];
        try {
            return Codec.json().forType(type).decode(json);
        } catch (DecodingException e) {
            throw new InputException("the data does not decode into " + method.getParameterTypes()[0].getSimpleName()
                    + e.field().map(f -> " at field '" + f + "'").orElse("") + ": " + e.getMessage(), e);
        }
    }

    private BrokerTransport transport() {
        try {
            return switch (broker) {
                case "rabbitmq" -> RabbitMqTransport.builder().uri(url).build();
                case "kafka" -> KafkaTransport.builder().bootstrapServers(url).build();
                case "nats" -> NatsTransport.builder().url(url).build();
                default -> throw new InputException("--broker '" + broker + "' (expected: rabbitmq, kafka or nats)");
            };
        } catch (IllegalArgumentException e) {
            throw new InputException("--url '" + url + "' for " + broker + ": " + e.getMessage(), e);
        }
    }
}
