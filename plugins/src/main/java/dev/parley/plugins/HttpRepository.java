package dev.parley.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A web directory with an {@code index.json}:
 *
 * <pre>{@code
 * {"plugins": [
 *   {"contract": "pricing", "version": "2.0.1", "file": "pricing-2.0.1.jar",
 *    "sha256": "9f86d0...", "signature": "MEUCIQ..."}
 * ]}
 * }</pre>
 *
 * <p>Every entry needs its SHA-256: a jar is complete when its digest matches, so publishers may
 * upload jars in any order and update the index last. {@code file} is relative to the
 * directory and may not leave it; an entry that breaks these rules is skipped with a warning.
 * The index is polled; there are no change events. Redirects are not followed.
 */
final class HttpRepository implements PluginRepository {

    private static final Logger log = LoggerFactory.getLogger(HttpRepository.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_INDEX_BYTES = 1 << 20;

    private final URI base;
    private final HttpClient client;

    HttpRepository(URI base) {
        String scheme = base.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new IllegalArgumentException("repository: '" + base + "' (expected: an http or https URL)");
        }
        this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String describe() {
        return "http:" + base;
    }

    @Override
    public List<PluginArtifact> list(String contract) throws IOException {
        URI index = base.resolve("index.json");
        byte[] body;
        try (InputStream in = get(index)) {
            body = in.readNBytes(MAX_INDEX_BYTES + 1);
        }
        if (body.length > MAX_INDEX_BYTES) {
            throw new IOException(index + " is larger than " + MAX_INDEX_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new IOException(index + " is not JSON: " + e.getMessage(), e);
        }
        JsonNode plugins = root == null ? null : root.get("plugins");
        if (plugins == null || !plugins.isArray()) {
            throw new IOException(index + " has no \"plugins\" array");
        }
        List<PluginArtifact> found = new ArrayList<>();
        for (JsonNode entry : plugins) {
            if (!contract.equals(entry.path("contract").asText())) {
                continue;
            }
            String file = entry.path("file").asText("");
            String sha = entry.path("sha256").asText("");
            PluginVersion version;
            try {
                version = PluginVersion.parse(entry.path("version").asText(""));
                checkRelative(file);
                String signature = entry.path("signature").asText("");
                found.add(new PluginArtifact(contract, version, file, Optional.of(sha),
                        signature.isEmpty() ? Optional.empty() : Optional.of(signature), file + ":" + sha));
            } catch (IllegalArgumentException e) {
                // One bad entry must not hide the good ones (nor close the deployment window): skip it, loudly.
                log.warn("{}: index entry {} skipped: {}", describe(), PluginVersion.abbreviate(entry.toString()), e.getMessage());
            }
        }
        return found;
    }

    private static void checkRelative(String file) {
        if (file.isEmpty() || file.startsWith("/") || file.contains("\\") || file.contains(":") || file.contains("?")
                || file.contains("#") || file.contains("%") || List.of(file.split("/")).contains("..")) {
            throw new IllegalArgumentException("file: '" + PluginVersion.abbreviate(file)
                    + "' (expected: a path relative to the repository, without '..')");
        }
    }

    @Override
    public void fetch(PluginArtifact artifact, Path target, long maxBytes) throws IOException {
        checkRelative(artifact.name());
        try (InputStream in = get(base.resolve(artifact.name()));
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            FolderRepository.copy(in, out, maxBytes, artifact.name());
        }
    }

    private InputStream get(URI uri) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Cache-Control", "no-cache").GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + uri, e);
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException("GET " + uri + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return describe();
    }
}
