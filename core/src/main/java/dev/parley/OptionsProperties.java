package dev.parley;

import dev.parley.codec.Codec;
import dev.parley.resilience.BreakerPolicy;
import dev.parley.resilience.BulkheadPolicy;
import dev.parley.resilience.RetryPolicy;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Reads {@link ClientOptions} from properties, with the same names as the builders' methods. */
final class OptionsProperties {

    private OptionsProperties() {}

    static ClientOptions read(Properties properties, String prefix) {
        Map<String, String> entries = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                entries.put(key.substring(prefix.length()), properties.getProperty(key));
            }
        }
        ClientOptions.Builder options = ClientOptions.custom();
        BreakerPolicy.Builder breaker = BreakerPolicy.custom();
        RetryPolicy.Builder retry = RetryPolicy.custom();
        // Method retries build on the contract's retry settings, which may come later in key order.
        Map<String, Map<String, String[]>> methodRetries = new TreeMap<>();
        Integer bulkheadMax = null;
        boolean bulkheadEnabled = true;
        for (Map.Entry<String, String> e : entries.entrySet()) {
            String key = e.getKey();
            String full = prefix + key;
            String value = e.getValue().trim();
            if (key.equals("deadline")) {
                options.deadline(ClientOptions.parseDuration(full, value));
            } else if (key.equals("codec")) {
                options.codec(switch (value) {
                    case "application/json" -> Codec.json();
                    case "application/cbor" -> Codec.cbor();
                    default -> throw new IllegalArgumentException(full + ": '" + value + "' (expected: application/json or application/cbor)");
                });
            } else if (key.equals("bulkhead.maxConcurrentCalls")) {
                bulkheadMax = parseInt(full, value);
            } else if (key.equals("bulkhead.enabled")) {
                bulkheadEnabled = parseBoolean(full, value);
            } else if (key.startsWith("circuitBreaker.")) {
                breaker(breaker, key.substring("circuitBreaker.".length()), full, value);
            } else if (key.startsWith("retry.")) {
                retry(retry, key.substring("retry.".length()), full, value);
            } else if (key.startsWith("method.")) {
                String rest = key.substring("method.".length());
                int dot = rest.indexOf('.');
                if (dot <= 0) {
                    throw unknown(full);
                }
                String method = rest.substring(0, dot);
                String setting = rest.substring(dot + 1);
                if (setting.equals("deadline")) {
                    options.method(method, m -> m.deadline(ClientOptions.parseDuration(full, value)));
                } else if (setting.startsWith("retry.")) {
                    methodRetries.computeIfAbsent(method, n -> new TreeMap<>()).put(setting.substring(6), new String[] {full, value});
                } else {
                    throw unknown(full);
                }
            } else {
                throw unknown(full);
            }
        }
        options.circuitBreaker(validated(prefix + "circuitBreaker.", breaker::build));
        RetryPolicy contractRetry = validated(prefix + "retry.", retry::build);
        options.retry(contractRetry);
        methodRetries.forEach((method, settings) -> {
            RetryPolicy.Builder b = RetryPolicy.from(contractRetry);
            settings.forEach((setting, keyAndValue) -> retry(b, setting, keyAndValue[0], keyAndValue[1]));
            RetryPolicy policy = validated(prefix + "method." + method + ".retry.", b::build);
            options.method(method, m -> m.retry(policy));
        });
        int max = bulkheadMax != null ? bulkheadMax : BulkheadPolicy.DEFAULT_MAX_CONCURRENT_CALLS;
        options.bulkhead(bulkheadEnabled ? validated(prefix + "bulkhead.", () -> BulkheadPolicy.maxConcurrentCalls(max))
                : BulkheadPolicy.disabled());
        return options.build();
    }

    /** Builds a policy; its validation message starts with the setting's name, so the key prefix makes it the full key. */
    private static <T> T validated(String keyPrefix, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(keyPrefix + e.getMessage(), e);
        }
    }

    private static void breaker(BreakerPolicy.Builder b, String setting, String key, String value) {
        switch (setting) {
            case "enabled" -> b.enabled(parseBoolean(key, value));
            case "failureRateThreshold" -> b.failureRateThreshold(parseFloat(key, value));
            case "slowCallRateThreshold" -> b.slowCallRateThreshold(parseFloat(key, value));
            case "slowCallDuration" -> b.slowCallDuration(ClientOptions.parseDuration(key, value));
            case "minimumCalls" -> b.minimumCalls(parseInt(key, value));
            case "window" -> b.window(ClientOptions.parseDuration(key, value));
            case "waitInOpen" -> b.waitInOpen(ClientOptions.parseDuration(key, value));
            case "halfOpenCalls" -> b.halfOpenCalls(parseInt(key, value));
            default -> throw unknown(key);
        }
    }

    private static void retry(RetryPolicy.Builder b, String setting, String key, String value) {
        switch (setting) {
            case "maxAttempts" -> b.maxAttempts(parseInt(key, value));
            case "baseDelay" -> b.baseDelay(ClientOptions.parseDuration(key, value));
            case "maxDelay" -> b.maxDelay(ClientOptions.parseDuration(key, value));
            case "budgetRatio" -> b.budgetRatio(parseDouble(key, value));
            case "minRetriesPerSecond" -> b.minRetriesPerSecond(parseInt(key, value));
            default -> throw unknown(key);
        }
    }

    private static IllegalArgumentException unknown(String key) {
        return new IllegalArgumentException(key + ": unknown setting (expected: deadline, codec, bulkhead.*, circuitBreaker.*, retry.*, method.NAME.deadline, method.NAME.retry.*)");
    }

    private static int parseInt(String key, String value) {
        return parse(key, value, Integer::parseInt, "an integer");
    }

    private static float parseFloat(String key, String value) {
        return parse(key, value, Float::parseFloat, "a number");
    }

    private static double parseDouble(String key, String value) {
        return parse(key, value, Double::parseDouble, "a number");
    }

    private static <T> T parse(String key, String value, java.util.function.Function<String, T> parser, String expected) {
        try {
            return parser.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' (expected: " + expected + ")");
        }
    }

    private static boolean parseBoolean(String key, String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + ": '" + value + "' (expected: true or false)");
        };
    }
}
