package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.Parley;
import dev.parley.http.HttpTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Checks that every server of the HTTP comparison answers the same request alike, and both clients call it; nothing here is timed. */
class HttpServersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theRequestIsAbout100BytesOfJson() throws Exception {
        assertThat(JSON.writeValueAsBytes(HttpEcho.sample())).hasSize(HttpEcho.SAMPLE_JSON_BYTES);
    }

    @ParameterizedTest
    @EnumSource(HttpServers.Kind.class)
    void everyServerEchoesTheRequest(HttpServers.Kind kind) throws Exception {
        assertThat(HttpServers.Kind.of(kind.label())).isEqualTo(kind);
        try (HttpServers.Running server = HttpServers.start(kind, 0, 1);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + HttpEcho.PATH))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(HttpEcho.sample())))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(JSON.readValue(response.body(), HttpEcho.Pong.class)).isEqualTo(HttpEcho.reply(HttpEcho.sample()));

            // The two clients of the client comparison, one call each.
            assertThat(HttpClientLoad.jdkCaller(http, server.port()).call(HttpEcho.sample())).isEqualTo(HttpEcho.reply(HttpEcho.sample()));
            try (HttpTransport transport = HttpTransport.builder().target("http://127.0.0.1:" + server.port()).build();
                 Parley parley = Parley.builder().transport(transport).build()) {
                assertThat(parley.client(HttpEcho.class).echo(HttpEcho.sample())).isEqualTo(HttpEcho.reply(HttpEcho.sample()));
            }
        }
    }
}
