package dev.parley.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.discovery.backend.LineStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * Reads EndpointSlices ({@code discovery.k8s.io/v1}) from the Kubernetes API: a list, and a
 * watch that streams one JSON event per line. Authenticates with a bearer token, which is read
 * anew for every request so that a rotated service-account token is picked up.
 */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesDiscovery.Settings settings;
    private final HttpClient http;
    private final Supplier<String> token;

    ApiClient(KubernetesDiscovery.Settings settings, HttpClient http, Supplier<String> token) {
        this.settings = settings;
        this.http = http;
        this.token = token;
    }

    /** A list of the slices matching {@code selector}, or a probe ({@code limit=1}) that proves the API answers. */
    JsonNode list(String selector, boolean probe) {
        URI uri = uri(selector, probe ? "&limit=1" : "");
        HttpResponse<InputStream> response = send(uri, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(settings.maxResponseBytes() + 1);
            if (response.statusCode() != 200) {
                throw refused(uri, response.statusCode(), new String(bytes, 0, Math.min(bytes.length, 2000), StandardCharsets.UTF_8));
            }
            if (bytes.length > settings.maxResponseBytes()) {
                throw new KubernetesException("GET " + uri + ": answer larger than " + settings.maxResponseBytes()
                        + " bytes (expected: at most maxResponseBytes)", 200);
            }
            JsonNode list = JSON.readTree(bytes);
            if (list == null || !list.path("items").isArray() || !list.path("metadata").path("resourceVersion").isTextual()) {
                throw new KubernetesException("GET " + uri + ": not an EndpointSliceList (expected: items and metadata.resourceVersion)", 200);
            }
            return list;
        } catch (IOException e) {
            throw new KubernetesException("GET " + uri + ": unreadable answer: " + describe(e), e);
        }
    }

    /** Opens a watch from {@code resourceVersion}; {@link Gone} when the API no longer has that version. */
    LineStream watch(String selector, String resourceVersion) {
        URI uri = uri(selector, "&watch=true&allowWatchBookmarks=true&resourceVersion=" + encode(resourceVersion)
                + "&timeoutSeconds=" + settings.watchTimeout().toSeconds());
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = send(uri, HttpResponse.BodyHandlers.ofPublisher());
        LineStream lines = new LineStream(settings.maxLineBytes(), "watch " + uri);
        response.body().subscribe(lines);
        if (response.statusCode() == 200) {
            return lines;
        }
        String body = "";
        try {
            body = lines.next(settings.requestTimeout()).orElse("");
        } catch (IOException e) {
            body = describe(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lines.abort();
        }
        if (response.statusCode() == 410) {
            throw new Gone("GET " + uri + ": HTTP 410 Gone: resource version " + resourceVersion + " is too old");
        }
        throw refused(uri, response.statusCode(), body);
    }

    private <T> HttpResponse<T> send(URI uri, HttpResponse.BodyHandler<T> handler) {
        // The timeout bounds the wait for the answer's headers; a watch's body streams on past it.
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("accept", "application/json").GET()
                .timeout(settings.requestTimeout());
        String bearer = token.get();
        if (!bearer.isEmpty()) {
            request.header("authorization", "Bearer " + bearer);
        }
        try {
            return http.send(request.build(), handler);
        } catch (IOException e) {
            throw new KubernetesException("GET " + uri + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesException("GET " + uri + ": interrupted", e);
        }
    }

    private URI uri(String selector, String extra) {
        return settings.apiServer().resolve("/apis/discovery.k8s.io/v1/namespaces/" + encode(settings.namespace())
                + "/endpointslices?labelSelector=" + encode(selector) + extra);
    }

    private static KubernetesException refused(URI uri, int status, String body) {
        String message = statusMessage(body);
        String hint = switch (status) {
            case 401 -> " (expected: a valid bearer token: check token/tokenFile, or the pod's service account token)";
            case 403 -> " (expected: permission to list and watch endpointslices.discovery.k8s.io in this namespace: "
                    + "grant the service account a Role with get, list, watch on endpointslices)";
            case 404 -> " (expected: an API server with discovery.k8s.io/v1, Kubernetes 1.21 or newer, and an existing namespace)";
            default -> "";
        };
        return new KubernetesException("GET " + uri + ": HTTP " + status + (message.isEmpty() ? "" : ": " + message) + hint, status);
    }

    /** The {@code message} of a Kubernetes {@code Status} body, or the body itself, abbreviated. */
    private static String statusMessage(String body) {
        try {
            JsonNode status = JSON.readTree(body);
            if (status != null && status.path("message").isTextual()) {
                return abbreviate(status.path("message").asText());
            }
        } catch (IOException notJson) {
            // fall through: show the raw text
        }
        return abbreviate(body.strip());
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "connection refused" + (m == null ? "" : " (" + m + ")");
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "timed out" + (m == null ? "" : " (" + m + ")");
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The watch's resource version is gone (HTTP 410 or an ERROR event with code 410): list again. */
    static final class Gone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Gone(String message) {
            super(message, null, false, false);
        }
    }
}
