package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.codec.Codec;
import dev.parley.resilience.BreakerPolicy;
import dev.parley.resilience.BulkheadPolicy;
import dev.parley.resilience.RetryPolicy;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link ClientOptions#fromProperties}: every documented key, and a precise error for every bad one. */
class ClientOptionsPropertiesTest {

    private static final String PREFIX = "parley.client.trips.";

    /** Every key documented in the Javadoc of {@link ClientOptions#fromProperties}. */
    private static final String FULL = """
            parley.client.trips.deadline=PT2S
            parley.client.trips.bulkhead.maxConcurrentCalls=64
            parley.client.trips.bulkhead.enabled=true
            parley.client.trips.circuitBreaker.enabled=true
            parley.client.trips.circuitBreaker.failureRateThreshold=40
            parley.client.trips.circuitBreaker.slowCallRateThreshold=70.5
            parley.client.trips.circuitBreaker.slowCallDuration=PT1.5S
            parley.client.trips.circuitBreaker.minimumCalls=8
            parley.client.trips.circuitBreaker.window=PT20S
            parley.client.trips.circuitBreaker.waitInOpen=PT7S
            parley.client.trips.circuitBreaker.halfOpenCalls=3
            parley.client.trips.retry.maxAttempts=4
            parley.client.trips.retry.baseDelay=PT0.05S
            parley.client.trips.retry.maxDelay=PT2S
            parley.client.trips.retry.budgetRatio=0.2
            parley.client.trips.retry.minRetriesPerSecond=5
            parley.client.trips.codec=application/cbor
            parley.client.trips.method.quote.deadline=PT0.3S
            parley.client.trips.method.quote.retry.maxAttempts=2
            parley.client.trips.method.quote.retry.baseDelay=PT0.01S
            parley.client.trips.method.cancel.deadline=PT5S
            """;

    static Properties load(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return p;
    }

    static Properties with(String key, String value) {
        Properties p = new Properties();
        p.setProperty(PREFIX + key, value);
        return p;
    }

    static void assertSameSettings(ClientOptions actual, ClientOptions expected) {
        assertThat(actual.deadline()).isEqualTo(expected.deadline());
        assertThat(actual.bulkhead()).isEqualTo(expected.bulkhead());
        assertThat(actual.circuitBreaker()).isEqualTo(expected.circuitBreaker());
        assertThat(actual.retry()).isEqualTo(expected.retry());
        assertThat(actual.codec()).isEqualTo(expected.codec());
        assertThat(actual.methods()).isEqualTo(expected.methods());
    }

    // ---- valid files ---------------------------------------------------------------------------

    @Test
    void fullFileMapsToTheSameSettingsAsTheBuilder() {
        ClientOptions fromFile = ClientOptions.fromProperties(load(FULL), PREFIX);

        ClientOptions built = ClientOptions.custom()
                .deadline(Duration.ofSeconds(2))
                .bulkhead(BulkheadPolicy.maxConcurrentCalls(64))
                .circuitBreaker(BreakerPolicy.custom()
                        .enabled(true)
                        .failureRateThreshold(40)
                        .slowCallRateThreshold(70.5f)
                        .slowCallDuration(Duration.ofMillis(1500))
                        .minimumCalls(8)
                        .window(Duration.ofSeconds(20))
                        .waitInOpen(Duration.ofSeconds(7))
                        .halfOpenCalls(3)
                        .build())
                .retry(RetryPolicy.custom()
                        .maxAttempts(4)
                        .baseDelay(Duration.ofMillis(50))
                        .maxDelay(Duration.ofSeconds(2))
                        .budgetRatio(0.2)
                        .minRetriesPerSecond(5)
                        .build())
                .codec(Codec.cbor())
                // A method's retry settings build on the contract's retry.* settings.
                .method("quote", m -> m.deadline(Duration.ofMillis(300))
                        .retry(RetryPolicy.custom().maxAttempts(2).baseDelay(Duration.ofMillis(10))
                                .maxDelay(Duration.ofSeconds(2)).budgetRatio(0.2).minRetriesPerSecond(5).build()))
                .method("cancel", m -> m.deadline(Duration.ofSeconds(5)))
                .build();

        assertSameSettings(fromFile, built);
        assertThat(fromFile.codec()).containsSame(Codec.cbor());
        assertThat(fromFile.methods().get("quote").retry()).get().extracting(RetryPolicy::maxAttempts).isEqualTo(2);
        assertThat(fromFile.methods().get("cancel").retry()).isEmpty();
    }

    @Test
    void noKeysMeansTheDefaults() {
        ClientOptions options = ClientOptions.fromProperties(new Properties(), PREFIX);

        assertSameSettings(options, ClientOptions.ofDefaults());
        assertThat(options.deadline()).isEmpty();
        assertThat(options.codec()).isEmpty();
        assertThat(options.bulkhead()).isEqualTo(BulkheadPolicy.ofDefaults());
        assertThat(options.circuitBreaker()).isEqualTo(BreakerPolicy.ofDefaults());
        assertThat(options.retry()).isEqualTo(RetryPolicy.ofDefaults());
    }

    @Test
    void partialFileKeepsDefaultsForTheRest() {
        Properties p = load("""
                parley.client.trips.circuitBreaker.minimumCalls=20
                parley.client.trips.retry.maxAttempts=1
                """);

        ClientOptions options = ClientOptions.fromProperties(p, PREFIX);

        assertThat(options.circuitBreaker()).isEqualTo(BreakerPolicy.custom().minimumCalls(20).build());
        assertThat(options.retry()).isEqualTo(RetryPolicy.custom().maxAttempts(1).build());
        assertThat(options.bulkhead()).isEqualTo(BulkheadPolicy.ofDefaults());
    }

    @Test
    void enabledFalseTurnsGuardsOff() {
        Properties p = load("""
                parley.client.trips.bulkhead.enabled=false
                parley.client.trips.bulkhead.maxConcurrentCalls=10
                parley.client.trips.circuitBreaker.enabled=false
                """);

        ClientOptions options = ClientOptions.fromProperties(p, PREFIX);

        assertThat(options.bulkhead().enabled()).isFalse();
        assertThat(options.circuitBreaker().enabled()).isFalse();
    }

    @Test
    void jsonCodecAndSurroundingWhitespaceAreAccepted() {
        Properties p = new Properties();
        p.setProperty(PREFIX + "codec", " application/json ");
        p.setProperty(PREFIX + "deadline", " PT0.25S\t");
        p.setProperty(PREFIX + "retry.maxAttempts", " 5 ");

        ClientOptions options = ClientOptions.fromProperties(p, PREFIX);

        assertThat(options.codec()).containsSame(Codec.json());
        assertThat(options.deadline()).contains(Duration.ofMillis(250));
        assertThat(options.retry().maxAttempts()).isEqualTo(5);
    }

    @Test
    void keysOutsideThePrefixAreIgnored() {
        Properties p = load("""
                parley.client.trips.deadline=PT3S
                parley.client.drivers.deadline=not-a-duration
                parley.client.tripsx.deadline=garbage
                parley.client.trips=whatever
                parley.client.unknown.key=1
                server.port=8080
                deadline=PT9S
                """);

        ClientOptions options = ClientOptions.fromProperties(p, PREFIX);

        assertThat(options.deadline()).contains(Duration.ofSeconds(3));
    }

    @Test
    void defaultsFromAParentPropertiesObjectAreRead() {
        Properties parent = new Properties();
        parent.setProperty(PREFIX + "deadline", "PT4S");
        Properties child = new Properties(parent);
        child.setProperty(PREFIX + "retry.maxAttempts", "2");

        ClientOptions options = ClientOptions.fromProperties(child, PREFIX);

        assertThat(options.deadline()).contains(Duration.ofSeconds(4));
        assertThat(options.retry().maxAttempts()).isEqualTo(2);
    }

    // ---- errors: the message names the full key and the bad value ----------------------------

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        // malformed durations
        "deadline                          | 2s",
        "deadline                          | 2 seconds",
        "deadline                          | PT",
        "circuitBreaker.slowCallDuration   | 1500ms",
        "circuitBreaker.window             | twenty",
        "circuitBreaker.waitInOpen         | P1X",
        "retry.baseDelay                   | 50",
        "retry.maxDelay                    | PT2",
        "method.quote.deadline             | 300ms",
        "method.quote.retry.baseDelay      | soon",
        // zero and negative durations
        "deadline                          | PT0S",
        "deadline                          | PT-1S",
        "circuitBreaker.waitInOpen         | PT0S",
        "circuitBreaker.slowCallDuration   | PT-0.5S",
        "retry.baseDelay                   | PT0S",
        "method.quote.deadline             | PT-2S",
        // not numbers
        "bulkhead.maxConcurrentCalls       | lots",
        "bulkhead.maxConcurrentCalls       | 1.5",
        "circuitBreaker.minimumCalls       | five",
        "circuitBreaker.halfOpenCalls      | 2x",
        "circuitBreaker.failureRateThreshold | half",
        "retry.maxAttempts                 | three",
        "retry.budgetRatio                 | 10%",
        "retry.minRetriesPerSecond         | 99999999999",
        "method.quote.retry.maxAttempts    | many",
        // not booleans
        "bulkhead.enabled                  | yes",
        "circuitBreaker.enabled            | off",
        // unknown codecs
        "codec                             | application/xml",
        "codec                             | json",
        "codec                             | APPLICATION/JSON",
    })
    void malformedValueFailsNamingFullKeyAndValue(String key, String value) {
        assertThatThrownBy(() -> ClientOptions.fromProperties(with(key, value), PREFIX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(PREFIX + key)
                .hasMessageContaining(value);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "retries",
        "timeout",
        "bulkhead",
        "bulkhead.max",
        "circuitBreaker.threshold",
        "circuitBreaker",
        "retry.attempts",
        "retry",
        "method.quote",
        "method.quote.timeout",
        "method.quote.retry.max",
        "method.quote.bulkhead.maxConcurrentCalls",
        "Deadline",
    })
    void unknownKeyFailsNamingTheFullKey(String key) {
        assertThatThrownBy(() -> ClientOptions.fromProperties(with(key, "1"), PREFIX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(PREFIX + key)
                .hasMessageContaining("unknown");
    }

    /** The values parse, but the policy rejects them: still an IllegalArgumentException, with the value. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "retry.maxAttempts                     | 6",
        "retry.maxAttempts                     | 0",
        "retry.budgetRatio                     | 1.5",
        "retry.minRetriesPerSecond             | -1",
        "circuitBreaker.failureRateThreshold   | 0",
        "circuitBreaker.failureRateThreshold   | 150",
        "circuitBreaker.slowCallRateThreshold  | -5",
        "circuitBreaker.minimumCalls           | 0",
        "circuitBreaker.halfOpenCalls          | 0",
        "circuitBreaker.window                 | PT0.5S",
        "bulkhead.maxConcurrentCalls           | 0",
        "bulkhead.maxConcurrentCalls           | -3",
        "method.quote.retry.maxAttempts        | 9",
    })
    void outOfRangeValueIsRejected(String key, String value) {
        assertThatThrownBy(() -> ClientOptions.fromProperties(with(key, value), PREFIX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(PREFIX)
                .hasMessageContaining(value);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "retry.maxAttempts                     | 6",
        "circuitBreaker.failureRateThreshold   | 0",
        "circuitBreaker.failureRateThreshold   | 150",
        "circuitBreaker.window                 | PT0.5S",
        "bulkhead.maxConcurrentCalls           | 0",
        "method.quote.retry.maxAttempts        | 9",
    })
    void outOfRangeValueFailsNamingTheFullKey(String key, String value) {
        assertThatThrownBy(() -> ClientOptions.fromProperties(with(key, value), PREFIX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(PREFIX + key)
                .hasMessageContaining(value);
    }

    @Test
    void retryDelaysInTheWrongOrderAreRejected() {
        Properties p = load("""
                parley.client.trips.retry.baseDelay=PT2S
                parley.client.trips.retry.maxDelay=PT1S
                """);

        assertThatThrownBy(() -> ClientOptions.fromProperties(p, PREFIX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDelay");
    }

    @Test
    void negativeDurationIsRejectedInEitherSpelling() {
        assertThatThrownBy(() -> ClientOptions.fromProperties(with("deadline", "-PT1S"), PREFIX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(PREFIX + "deadline");
    }
}
