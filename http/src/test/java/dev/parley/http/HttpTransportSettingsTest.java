package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Parley;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Builder validation and the properties form of the same settings. */
class HttpTransportSettingsTest {

    @Test
    void invalidSettingsNameValueExpectationAndWhere() {
        assertThatThrownBy(() -> HttpTransport.builder().maxBodyBytes(0))
                .hasMessage("maxBodyBytes: 0 (expected: >= 1) for HttpTransport");
        assertThatThrownBy(() -> HttpTransport.builder().server(70000))
                .hasMessage("server port: 70000 (expected: 0 to 65535) for HttpTransport");
        assertThatThrownBy(() -> HttpTransport.builder().target("ftp://x"))
                .hasMessage("target: 'ftp://x' (expected: http[s]://host:port[/path]) for HttpTransport");
        assertThatThrownBy(() -> HttpTransport.builder().requestReadTimeout(java.time.Duration.ZERO))
                .hasMessage("requestReadTimeout: PT0S (expected: > 0) for HttpTransport");
    }

    @Test
    void clientOnlyTransportRefusesToServeAndTargetlessOneRefusesToConnect() {
        try (HttpTransport clientOnly = HttpTransport.builder().build()) {
            assertThatThrownBy(() -> clientOnly.serve(Trips.class, (m, r) -> null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("serve(trips/v1)").hasMessageContaining("has no server");
            assertThatThrownBy(() -> clientOnly.connect(Trips.class))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no HTTP target for contract trips/v1");
        }
    }

    @Test
    void servingTheSameMajorVersionTwiceClashes() {
        try (HttpTransport server = HttpTransport.builder().server(0).bindAddress("127.0.0.1").build();
             Parley parley = Parley.builder().transport(server).build()) {
            parley.serve(Trips.class, new RecordingTrips());
            assertThatThrownBy(() -> parley.serve(Trips.class, new RecordingTrips()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("clashes with");
            assertThat(server.routes()).hasSize(9);
        }
    }

    @Test
    void propertiesSetTheSameSettings() {
        Properties p = new Properties();
        p.setProperty("parley.http.server", "0");
        p.setProperty("parley.http.bindAddress", "127.0.0.1");
        p.setProperty("parley.http.target.trips", "http://127.0.0.1:1");
        p.setProperty("parley.http.protocol", "H2C");
        p.setProperty("parley.http.requestReadTimeout", "PT0.5S");
        p.setProperty("other.key", "ignored");
        try (HttpTransport t = HttpTransport.fromProperties(p, "parley.http.").build()) {
            assertThat(t.port()).isPositive();
            assertThat(t.connect(Trips.class).target()).isEqualTo("http:trips/v1@127.0.0.1:1");
        }
        Properties bad = new Properties();
        bad.setProperty("parley.http.idleTimeout", "5s");
        assertThatThrownBy(() -> HttpTransport.fromProperties(bad, "parley.http."))
                .hasMessage("parley.http.idleTimeout: '5s' (expected: an ISO-8601 duration such as PT2S)");
        Properties unknown = new Properties();
        unknown.setProperty("parley.http.maxBody", "5");
        assertThatThrownBy(() -> HttpTransport.fromProperties(unknown, "parley.http."))
                .hasMessageStartingWith("parley.http.maxBody: unknown HttpTransport setting");
    }
}
