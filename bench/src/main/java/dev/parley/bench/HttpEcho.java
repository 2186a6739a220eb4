package dev.parley.bench;

import dev.parley.contract.Contract;
import dev.parley.contract.http.Post;

/**
 * What the HTTP comparison serves: {@code POST /v1/echo} with a JSON body of about 100 bytes,
 * answered with the same fields. Every server in {@link HttpServers} (Parley, raw Netty, Vert.x
 * Web) decodes the body with Jackson into {@link Ping} and encodes a {@link Pong}, so they all do
 * the same work.
 */
@Contract(name = "echo", version = "1.0")
public interface HttpEcho {

    /** The route every server answers; Parley prefixes the contract's major version. */
    String PATH = "/v1/echo";

    @Post("/echo")
    Pong echo(Ping request);

    /** The request: four small fields. */
    record Ping(String id, long seq, String rider, String note) {}

    /** The reply: the request's fields, unchanged. */
    record Pong(String id, long seq, String rider, String note) {}

    /** The request every load generator sends; its JSON is {@value #SAMPLE_JSON_BYTES} bytes. */
    static Ping sample() {
        return new Ping("req-000000000017", 1_234_567L, "passenger-000042", "window seat, no draught");
    }

    int SAMPLE_JSON_BYTES = 99;

    /** The implementation every server runs. */
    static Pong reply(Ping request) {
        return new Pong(request.id(), request.seq(), request.rider(), request.note());
    }
}
