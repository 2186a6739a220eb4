package dev.parley.rpc;

import dev.parley.message.Envelope;
import dev.parley.message.Headers;

/**
 * One frame of the RPC protocol, decoded. Every frame on the wire starts with the same 10-byte
 * header; the payload depends on the type (docs/rpc-protocol.md, "Frames"):
 *
 * <pre>
 *  +---------------+-------+-------+---------------+---------------------------+
 *  | length (u32)  | type  | flags | stream (u32)  | payload (length - 6)      |
 *  +---------------+-------+-------+---------------+---------------------------+
 *     4 bytes        1 byte  1 byte   4 bytes
 * </pre>
 */
sealed interface Frame {

    byte HELLO = 0x01;
    byte HELLO_ACK = 0x02;
    byte REQUEST = 0x03;
    byte ONE_WAY = 0x04;
    byte REPLY = 0x05;
    byte ERROR = 0x06;
    byte CANCEL = 0x07;
    byte PING = 0x08;
    byte PONG = 0x09;
    byte GOAWAY = 0x0A;

    /** Bytes before the payload: length, type, flags, stream id. */
    int HEADER_BYTES = 10;

    /**
     * Both ends flush a long burst of frames every this many frames instead of once at its end:
     * with one flush per burst the client and server event loops took turns (each idle while the
     * other worked through a whole batch); a flush part-way lets them overlap, for one more system
     * call per 32 frames. Measured at 64 in flight (docs/benchmarks.md, RPC, fourth pass).
     */
    int FLUSH_EVERY_FRAMES = 32;

    /** The smallest valid value of the length field (type, flags and stream id, no payload). */
    int MIN_LENGTH = 6;

    /** "PRLY", the first payload bytes of a HELLO. */
    int MAGIC = 0x50524C59;

    /** The protocol versions this implementation speaks. */
    int MIN_VERSION = 1;
    int MAX_VERSION = 1;

    int streamId();

    /** Client to server, first frame of a connection: the versions the client speaks and the largest frame it accepts. */
    record Hello(int minVersion, int maxVersion, int maxFrameBytes, Headers properties) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }
    }

    /** Server to client, the answer to HELLO: the version chosen and the server's limits. */
    record HelloAck(int version, int maxFrameBytes, int maxConcurrentCalls, Headers properties) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }
    }

    /** A call that expects a REPLY (or a stream ERROR) with the same stream id. */
    record Request(int streamId, Envelope message) implements Frame {}

    /** A message that never gets an answer. */
    record OneWay(int streamId, Envelope message) implements Frame {}

    /** The handler's answer to a REQUEST; its {@code parley-status} header says ok or which error. */
    record Reply(int streamId, Envelope message) implements Frame {}

    /**
     * A call the transport could not deliver (stream id > 0), or a broken connection (stream id
     * 0, after which the sender closes it). {@code code} is from {@link RpcErrorCodes}.
     */
    record Error(int streamId, int code, String message) implements Frame {}

    /** The caller gave up on the REQUEST with this stream id: stop its handler. */
    record Cancel(int streamId) implements Frame {}

    record Ping(long payload) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }
    }

    record Pong(long payload) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }
    }

    /** The sender takes no new calls; those up to {@code lastStreamId} still get their answers. */
    record GoAway(int lastStreamId, int code, String message) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }
    }
}
