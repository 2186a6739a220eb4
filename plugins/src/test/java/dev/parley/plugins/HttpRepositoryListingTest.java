package dev.parley.plugins;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

class HttpRepositoryListingTest extends PluginRepositorySuite {

    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, String> entries = new ConcurrentHashMap<>();
    private HttpServer server;
    private PluginRepository repository;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/repo/", exchange -> {
            byte[] body = files.get(exchange.getRequestURI().getPath().substring("/repo/".length()));
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        repository = PluginRepository.http(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/repo"));
        files.put("index.json", "{\"plugins\": []}".getBytes());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Override
    PluginRepository repository() {
        return repository;
    }

    @Override
    void publish(String contract, String version, String file, byte[] bytes) {
        files.put(file, bytes);
        entries.put(file, "{\"contract\": \"" + contract + "\", \"version\": \"" + version + "\", \"file\": \"" + file
                + "\", \"sha256\": \"" + PluginJars.sha256(bytes) + "\"}");
        files.put("index.json", ("{\"plugins\": [" + String.join(",", new ArrayList<>(entries.values())) + "]}").getBytes());
    }

    @Override
    void breakIt() {
        files.remove("index.json");
    }
}
