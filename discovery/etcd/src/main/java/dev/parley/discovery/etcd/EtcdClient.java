package dev.parley.discovery.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.discovery.backend.LineStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The few etcd v3 operations Parley needs, as JSON over etcd's gRPC gateway ({@code /v3/...},
 * present since etcd 3.4): keys and values travel base64-encoded, 64-bit numbers as strings.
 * Requests go to one endpoint at a time; on a connection failure the next endpoint is tried.
 */
final class EtcdClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final List<URI> endpoints;
    private final AtomicInteger current = new AtomicInteger();
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxResponseBytes;

    EtcdClient(List<URI> endpoints, Duration connectTimeout, Duration requestTimeout, int maxResponseBytes) {
        this.endpoints = List.copyOf(endpoints);
        this.requestTimeout = requestTimeout;
        this.maxResponseBytes = maxResponseBytes;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** One key and its value as read from etcd. */
    record KeyValue(String key, byte[] value, long modRevision) {
    }

    /** The keys under a prefix at {@code revision}. */
    record Range(long revision, List<KeyValue> kvs) {
    }

    long grant(Duration ttl) {
        ObjectNode body = JSON.createObjectNode().put("TTL", ttl.toSeconds());
        JsonNode r = call("/v3/lease/grant", body);
        long id = r.path("ID").asLong(0);
        if (id == 0) {
            throw new EtcdException("etcd /v3/lease/grant: answer without a lease ID: " + abbreviate(r.toString()));
        }
        return id;
    }

    /** Refreshes the lease; its remaining time-to-live in seconds, 0 when etcd no longer knows it. */
    long keepAlive(long lease) {
        JsonNode r = call("/v3/lease/keepalive", JSON.createObjectNode().put("ID", Long.toString(lease)));
        return r.path("result").path("TTL").asLong(0);
    }

    void revoke(long lease) {
        try {
            call("/v3/lease/revoke", JSON.createObjectNode().put("ID", Long.toString(lease)));
        } catch (EtcdException e) {
            if (!e.getMessage().contains("lease not found")) {
                throw e;
            }
        }
    }

    void put(String key, byte[] value, long lease) {
        ObjectNode body = JSON.createObjectNode().put("key", b64(key)).put("value", B64.encodeToString(value));
        if (lease != 0) {
            body.put("lease", Long.toString(lease));
        }
        call("/v3/kv/put", body);
    }

    void delete(String key) {
        call("/v3/kv/deleterange", JSON.createObjectNode().put("key", b64(key)));
    }

    /** Compacts the history up to {@code revision} (tests). */
    void compact(long revision) {
        call("/v3/kv/compaction", JSON.createObjectNode().put("revision", Long.toString(revision)).put("physical", true));
    }

    Range range(String prefix) {
        JsonNode r = call("/v3/kv/range", JSON.createObjectNode().put("key", b64(prefix)).put("range_end", rangeEnd(prefix)));
        List<KeyValue> kvs = new ArrayList<>();
        for (JsonNode kv : r.path("kvs")) {
            kvs.add(keyValue(kv));
        }
        return new Range(r.path("header").path("revision").asLong(0), kvs);
    }

    /** A cheap round trip that proves etcd answers: the number of keys under {@code prefix}. */
    long count(String prefix) {
        JsonNode r = call("/v3/kv/range", JSON.createObjectNode().put("key", b64(prefix)).put("range_end", rangeEnd(prefix))
                .put("count_only", true));
        return r.path("count").asLong(0);
    }

    /** Opens {@code /v3/watch} for every key under {@code prefix}, from {@code startRevision} on. */
    LineStream watch(String prefix, long startRevision, int maxLineBytes) {
        ObjectNode create = JSON.createObjectNode();
        create.putObject("create_request").put("key", b64(prefix)).put("range_end", rangeEnd(prefix))
                .put("start_revision", Long.toString(startRevision));
        URI endpoint = endpoint();
        String where = "etcd /v3/watch at " + endpoint;
        HttpRequest request = HttpRequest.newBuilder(endpoint.resolve("/v3/watch"))
                .header("content-type", "application/json")
                .timeout(requestTimeout)
                .POST(HttpRequest.BodyPublishers.ofString(create.toString()))
                .build();
        HttpResponse<java.util.concurrent.Flow.Publisher<List<java.nio.ByteBuffer>>> response;
        try {
            // ofPublisher: send returns with the headers, the body keeps streaming.
            response = http.send(request, HttpResponse.BodyHandlers.ofPublisher());
        } catch (IOException e) {
            rotate(endpoint);
            throw new EtcdException(where + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException(where + ": interrupted", e);
        }
        LineStream lines = new LineStream(maxLineBytes, where);
        response.body().subscribe(lines);
        if (response.statusCode() != 200) {
            String answer = "";
            try {
                answer = lines.next(requestTimeout).orElse("");
            } catch (IOException e) {
                answer = describe(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lines.abort();
            }
            throw new EtcdException(where + ": HTTP " + response.statusCode() + " (expected: 200): " + abbreviate(answer));
        }
        return lines;
    }

    static KeyValue keyValue(JsonNode kv) {
        String key = new String(B64D.decode(kv.path("key").asText("")), StandardCharsets.UTF_8);
        byte[] value = B64D.decode(kv.path("value").asText(""));
        return new KeyValue(key, value, kv.path("mod_revision").asLong(0));
    }

    static String decodeKey(JsonNode kv) {
        return new String(B64D.decode(kv.path("key").asText("")), StandardCharsets.UTF_8);
    }

    static JsonNode parse(String json) throws IOException {
        return JSON.readTree(json);
    }

    private JsonNode call(String path, ObjectNode body) {
        EtcdException last = null;
        for (int attempt = 0; attempt < endpoints.size(); attempt++) {
            URI endpoint = endpoint();
            String where = "etcd " + path + " at " + endpoint;
            HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(path))
                    .header("content-type", "application/json")
                    .timeout(requestTimeout)
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build();
            HttpResponse<InputStream> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                last = new EtcdException(where + ": " + describe(e), e);
                rotate(endpoint);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EtcdException(where + ": interrupted", e);
            }
            JsonNode answer;
            try (InputStream in = response.body()) {
                byte[] bytes = in.readNBytes(maxResponseBytes + 1);
                if (bytes.length > maxResponseBytes) {
                    throw new EtcdException(where + ": answer larger than " + maxResponseBytes + " bytes (expected: at most maxResponseBytes)");
                }
                answer = JSON.readTree(bytes);
            } catch (IOException e) {
                last = new EtcdException(where + ": unreadable answer (HTTP " + response.statusCode() + "): " + describe(e), e);
                rotate(endpoint);
                continue;
            }
            if (response.statusCode() != 200 || answer.has("error")) {
                throw new EtcdException(where + ": HTTP " + response.statusCode() + ", code " + answer.path("code").asInt(-1) + ": "
                        + answer.path("message").asText(answer.path("error").asText(abbreviate(answer.toString()))));
            }
            return answer;
        }
        throw last == null ? new EtcdException("etcd " + path + ": no endpoints") : last;
    }

    private URI endpoint() {
        return endpoints.get(Math.floorMod(current.get(), endpoints.size()));
    }

    private void rotate(URI failed) {
        int i = current.get();
        if (endpoints.get(Math.floorMod(i, endpoints.size())).equals(failed)) {
            current.compareAndSet(i, i + 1);
        }
    }

    private static String b64(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The end of the key range of {@code prefix}: the prefix with its last byte plus one. */
    private static String rangeEnd(String prefix) {
        byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return B64.encodeToString(java.util.Arrays.copyOf(end, i + 1));
            }
        }
        return B64.encodeToString(new byte[] {0});
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

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    void close() {
        http.shutdownNow();
    }
}
