package dev.parley.rpc;

import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes frames (docs/rpc-protocol.md). Encoding builds the whole frame, fixed
 * header included, in one buffer of the exact size; decoding reads one whole frame (its length
 * already checked by {@link FrameDecoder}) and trusts nothing in it: every count and length is
 * checked against the bytes left before anything is allocated.
 *
 * <p>Header blocks: a varint count, then per header a varint name index (1 to 13 from
 * {@link #STATIC_NAMES}, or 0 followed by the name as a string) and the value as a string.
 * Strings are a varint byte length and UTF-8 bytes; varints are unsigned LEB128 of at most
 * 5 bytes.
 */
final class FrameCodec {

    /** Index 1 to 13 on the wire; index 0 means "literal name follows". Append only. */
    static final String[] STATIC_NAMES = {
        null,
        StandardHeaders.MESSAGE_ID,
        StandardHeaders.CORRELATION_ID,
        StandardHeaders.REPLY_TO,
        StandardHeaders.CONTRACT,
        StandardHeaders.CONTRACT_VERSION,
        StandardHeaders.OPERATION,
        StandardHeaders.DEADLINE,
        StandardHeaders.TRACEPARENT,
        StandardHeaders.TRACESTATE,
        StandardHeaders.AUTHORIZATION,
        StandardHeaders.CONTENT_TYPE,
        StandardHeaders.STATUS,
        StandardHeaders.SOURCE,
    };

    private FrameCodec() {}

    // ---- encoding ----------------------------------------------------------------------------

    static ByteBuf encode(Frame frame, ByteBufAllocator alloc) {
        return switch (frame) {
            case Frame.Request r -> message(Frame.REQUEST, r.streamId(), r.message(), alloc);
            case Frame.OneWay o -> message(Frame.ONE_WAY, o.streamId(), o.message(), alloc);
            case Frame.Reply r -> message(Frame.REPLY, r.streamId(), r.message(), alloc);
            case Frame.Hello h -> {
                int size = 4 + 1 + 1 + 4 + headerBlockSize(h.properties());
                ByteBuf buf = header(alloc, size, Frame.HELLO, 0);
                buf.writeInt(Frame.MAGIC).writeByte(h.minVersion()).writeByte(h.maxVersion()).writeInt(h.maxFrameBytes());
                writeHeaderBlock(buf, h.properties());
                yield buf;
            }
            case Frame.HelloAck a -> {
                int size = 1 + 4 + 4 + headerBlockSize(a.properties());
                ByteBuf buf = header(alloc, size, Frame.HELLO_ACK, 0);
                buf.writeByte(a.version()).writeInt(a.maxFrameBytes()).writeInt(a.maxConcurrentCalls());
                writeHeaderBlock(buf, a.properties());
                yield buf;
            }
            case Frame.Error e -> {
                ByteBuf buf = header(alloc, 1 + stringSize(e.message()), Frame.ERROR, e.streamId());
                buf.writeByte(e.code());
                writeString(buf, e.message());
                yield buf;
            }
            case Frame.Cancel c -> header(alloc, 0, Frame.CANCEL, c.streamId());
            case Frame.Ping p -> header(alloc, 8, Frame.PING, 0).writeLong(p.payload());
            case Frame.Pong p -> header(alloc, 8, Frame.PONG, 0).writeLong(p.payload());
            case Frame.GoAway g -> {
                ByteBuf buf = header(alloc, 4 + 1 + stringSize(g.message()), Frame.GOAWAY, 0);
                buf.writeInt(g.lastStreamId()).writeByte(g.code());
                writeString(buf, g.message());
                yield buf;
            }
        };
    }

    /**
     * A REQUEST, ONE_WAY or REPLY frame: header block, then the body as is. One pass over the
     * headers: the buffer is sized from the characters (ASCII, as headers almost always are, is
     * one byte each; it grows otherwise), and the length field is filled in at the end.
     */
    static ByteBuf message(byte type, int streamId, Envelope message, ByteBufAllocator alloc) {
        byte[] body = message.body();
        Headers headers = message.headers();
        int n = headers.size();
        int estimate = 1;
        for (int i = 0; i < n; i++) {
            estimate += 4 + headers.name(i).length() + headers.value(i).length();
        }
        ByteBuf buf = alloc.buffer(Frame.HEADER_BYTES + estimate + body.length);
        buf.writeInt(0).writeByte(type).writeByte(0).writeInt(streamId);
        writeHeaderBlock(buf, headers);
        buf.writeBytes(body);
        buf.setInt(0, buf.readableBytes() - 4);
        return buf;
    }

    /** The size in bytes of a whole frame as {@link #message} encodes it. */
    static int messageFrameSize(Envelope message) {
        return Frame.HEADER_BYTES + headerBlockSize(message.headers()) + message.body().length;
    }

    private static ByteBuf header(ByteBufAllocator alloc, int payloadBytes, byte type, int streamId) {
        ByteBuf buf = alloc.buffer(Frame.HEADER_BYTES + payloadBytes);
        return buf.writeInt(Frame.MIN_LENGTH + payloadBytes).writeByte(type).writeByte(0).writeInt(streamId);
    }

    static int headerBlockSize(Headers headers) {
        int n = headers.size();
        int size = varintSize(n);
        for (int i = 0; i < n; i++) {
            String name = headers.name(i);
            int index = staticIndex(name);
            size += index > 0 ? varintSize(index) : 1 + stringSize(name);
            size += stringSize(headers.value(i));
        }
        return size;
    }

    static void writeHeaderBlock(ByteBuf buf, Headers headers) {
        int n = headers.size();
        writeVarint(buf, n);
        for (int i = 0; i < n; i++) {
            String name = headers.name(i);
            int index = staticIndex(name);
            writeVarint(buf, index);
            if (index == 0) {
                writeString(buf, name);
            }
            writeString(buf, headers.value(i));
        }
    }

    static int staticIndex(String name) {
        return switch (name) {
            case StandardHeaders.MESSAGE_ID -> 1;
            case StandardHeaders.CORRELATION_ID -> 2;
            case StandardHeaders.REPLY_TO -> 3;
            case StandardHeaders.CONTRACT -> 4;
            case StandardHeaders.CONTRACT_VERSION -> 5;
            case StandardHeaders.OPERATION -> 6;
            case StandardHeaders.DEADLINE -> 7;
            case StandardHeaders.TRACEPARENT -> 8;
            case StandardHeaders.TRACESTATE -> 9;
            case StandardHeaders.AUTHORIZATION -> 10;
            case StandardHeaders.CONTENT_TYPE -> 11;
            case StandardHeaders.STATUS -> 12;
            case StandardHeaders.SOURCE -> 13;
            default -> 0;
        };
    }

    private static int stringSize(String s) {
        int bytes = ByteBufUtil.utf8Bytes(s);
        return varintSize(bytes) + bytes;
    }

    private static void writeString(ByteBuf buf, String s) {
        // String.getBytes: for the ASCII strings headers nearly always are, the JDK checks and copies
        // the string's own bytes with vectorized intrinsics; Netty's UTF-8 writer goes a char at a time
        // and was most of the cost of encoding a call's header block.
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeVarint(buf, bytes.length);
        buf.writeBytes(bytes);
    }

    static int varintSize(int value) {
        int size = 1;
        while ((value & ~0x7F) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    static void writeVarint(ByteBuf buf, int value) {
        while ((value & ~0x7F) != 0) {
            buf.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buf.writeByte(value);
    }

    // ---- decoding ----------------------------------------------------------------------------

    /**
     * Decodes the frame in {@code frame}: exactly one frame, fixed header included, its length
     * field already checked against the limit.
     *
     * @throws FrameException when the frame is malformed; fatal unless only one call is affected
     */
    static Frame decode(ByteBuf frame) {
        return decode(frame, new MessageReader());
    }

    /** As {@link #decode(ByteBuf)}, with a connection's reader: its scratch buffer and header value cache. */
    static Frame decode(ByteBuf frame, MessageReader reader) {
        frame.skipBytes(4);
        byte type = frame.readByte();
        frame.readByte(); // flags: none defined in version 1, ignored
        int streamId = frame.readInt();
        switch (type) {
            case Frame.REQUEST, Frame.ONE_WAY, Frame.REPLY -> {
                if (streamId <= 0) {
                    throw FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, typeName(type) + " frame on stream " + Integer.toUnsignedString(streamId)
                            + " (expected: a stream id from 1 to 2147483647)");
                }
                reader.load(frame);
                Envelope message;
                try {
                    message = Envelope.of(reader.readHeaderBlock(), reader.rest());
                } catch (IllegalArgumentException e) {
                    throw new FrameException(RpcErrorCodes.number(dev.parley.ErrorCode.INVALID_ARGUMENT),
                            typeName(type) + " on stream " + streamId + ": bad header block: " + e.getMessage(), streamId, type, false);
                } finally {
                    reader.done();
                }
                return switch (type) {
                    case Frame.REQUEST -> new Frame.Request(streamId, message);
                    case Frame.ONE_WAY -> new Frame.OneWay(streamId, message);
                    default -> new Frame.Reply(streamId, message);
                };
            }
            case Frame.HELLO -> {
                connectionFrame(type, streamId);
                need(frame, 10, type);
                int magic = frame.readInt();
                if (magic != Frame.MAGIC) {
                    throw FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, "HELLO without the magic bytes PRLY (got 0x"
                            + Integer.toHexString(magic) + "): not a Parley RPC client");
                }
                int min = frame.readUnsignedByte();
                int max = frame.readUnsignedByte();
                int maxFrame = frame.readInt();
                return new Frame.Hello(min, max, maxFrame, properties(frame, type, reader));
            }
            case Frame.HELLO_ACK -> {
                connectionFrame(type, streamId);
                need(frame, 9, type);
                int version = frame.readUnsignedByte();
                int maxFrame = frame.readInt();
                int maxCalls = frame.readInt();
                return new Frame.HelloAck(version, maxFrame, maxCalls, properties(frame, type, reader));
            }
            case Frame.ERROR -> {
                need(frame, 1, type);
                int code = frame.readUnsignedByte();
                return new Frame.Error(streamId, code, message(frame, type, reader));
            }
            case Frame.CANCEL -> {
                if (streamId <= 0) {
                    throw FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, "CANCEL on stream " + Integer.toUnsignedString(streamId)
                            + " (expected: a stream id from 1 to 2147483647)");
                }
                end(frame, type);
                return new Frame.Cancel(streamId);
            }
            case Frame.PING, Frame.PONG -> {
                connectionFrame(type, streamId);
                need(frame, 8, type);
                long payload = frame.readLong();
                end(frame, type);
                return type == Frame.PING ? new Frame.Ping(payload) : new Frame.Pong(payload);
            }
            case Frame.GOAWAY -> {
                connectionFrame(type, streamId);
                need(frame, 5, type);
                int last = frame.readInt();
                int code = frame.readUnsignedByte();
                return new Frame.GoAway(last, code, message(frame, type, reader));
            }
            default -> throw FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, "unknown frame type 0x"
                    + Integer.toHexString(type & 0xFF) + " (expected: 0x01 to 0x0a in protocol version 1)");
        }
    }

    static String typeName(byte type) {
        return switch (type) {
            case Frame.HELLO -> "HELLO";
            case Frame.HELLO_ACK -> "HELLO_ACK";
            case Frame.REQUEST -> "REQUEST";
            case Frame.ONE_WAY -> "ONE_WAY";
            case Frame.REPLY -> "REPLY";
            case Frame.ERROR -> "ERROR";
            case Frame.CANCEL -> "CANCEL";
            case Frame.PING -> "PING";
            case Frame.PONG -> "PONG";
            case Frame.GOAWAY -> "GOAWAY";
            default -> "0x" + Integer.toHexString(type & 0xFF);
        };
    }

    /** The header block that ends a HELLO or HELLO_ACK: its properties. */
    private static Headers properties(ByteBuf frame, byte type, MessageReader reader) {
        reader.load(frame);
        try {
            Headers properties;
            try {
                properties = reader.readHeaderBlock();
            } catch (IllegalArgumentException e) {
                throw FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, typeName(type) + ": bad properties: " + e.getMessage());
            }
            end(reader.remaining(), type);
            return properties;
        } finally {
            reader.done();
        }
    }

    /** The string that ends an ERROR or GOAWAY frame. */
    private static String message(ByteBuf frame, byte type, MessageReader reader) {
        reader.load(frame);
        try {
            String message;
            try {
                message = reader.readString(Integer.MAX_VALUE, "message");
            } catch (IllegalArgumentException e) {
                throw FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, typeName(type) + ": " + e.getMessage());
            }
            end(reader.remaining(), type);
            return message;
        } finally {
            reader.done();
        }
    }

    private static void connectionFrame(byte type, int streamId) {
        if (streamId != 0) {
            throw FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, typeName(type) + " frame on stream " + Integer.toUnsignedString(streamId)
                    + " (expected: stream 0)");
        }
    }

    private static void need(ByteBuf frame, int bytes, byte type) {
        if (frame.readableBytes() < bytes) {
            throw FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, typeName(type) + " frame too short: " + frame.readableBytes()
                    + " payload bytes left (expected: at least " + bytes + ")");
        }
    }

    private static void end(ByteBuf frame, byte type) {
        end(frame.readableBytes(), type);
    }

    private static void end(int bytesLeft, byte type) {
        if (bytesLeft > 0) {
            throw FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, typeName(type) + " frame has " + bytesLeft
                    + " bytes after its payload (expected: none)");
        }
    }
}
