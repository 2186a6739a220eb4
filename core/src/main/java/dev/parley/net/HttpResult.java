package dev.parley.net;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a target answered to one {@link GuardedHttpClient#post POST}.
 *
 * @param status  the HTTP status code
 * @param headers response headers, names lower-case (the first value of each)
 * @param snippet the start of the response body as text (for a delivery log), at most {@link GuardedHttpClient.Builder#snippetBytes} bytes
 * @param latency from the start of the attempt (including resolution and connect) to the response head
 */
public record HttpResult(int status, Map<String, String> headers, String snippet, Duration latency) {
    public HttpResult {
        headers = Map.copyOf(headers);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}
