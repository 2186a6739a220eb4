package dev.parley.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into frames and decodes them, passing on {@link Frame}s and, for bad
 * input, {@link FrameException}s (the connection handler answers those). The length field is
 * checked against the limit as soon as its 4 bytes arrive, before a byte of the frame is
 * buffered; the first frame's type is checked as soon as the fixed header arrives, so a
 * stranger speaking another protocol is turned away at once. After a fatal error everything
 * further is discarded.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FrameDecoder.class);

    /** The largest first frame (HELLO or HELLO_ACK): they carry a few properties, nothing more. */
    static final int MAX_HANDSHAKE_FRAME = 64 * 1024;

    private final int maxFrameBytes;
    private final byte firstType;
    private final MessageReader reader = new MessageReader();
    private boolean first = true;
    private boolean failed;

    /**
     * @param maxFrameBytes the largest frame accepted, fixed header included
     * @param firstType     the type the first frame must have (an ERROR is accepted too, on clients)
     */
    FrameDecoder(int maxFrameBytes, byte firstType) {
        this.maxFrameBytes = maxFrameBytes;
        this.firstType = firstType;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= 4) {
            int start = in.readerIndex();
            long length = in.getUnsignedInt(start);
            if (length < Frame.MIN_LENGTH) {
                fail(in, out, FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, "frame length " + length + " (expected: at least "
                        + Frame.MIN_LENGTH + ")"));
                return;
            }
            long limit = first ? Math.min(MAX_HANDSHAKE_FRAME, maxFrameBytes) : maxFrameBytes;
            if (length + 4 > limit) {
                fail(in, out, FrameException.fatal(RpcErrorCodes.number(dev.parley.ErrorCode.PAYLOAD_TOO_LARGE), "frame of " + (length + 4)
                        + " bytes over the limit of " + limit + " bytes" + (first ? " for the handshake" : " (maxFrameBytes)")));
                return;
            }
            if (first && in.readableBytes() >= 5) {
                byte type = in.getByte(start + 4);
                if (type != firstType && !(type == Frame.ERROR && firstType == Frame.HELLO_ACK)) {
                    fail(in, out, FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, "first frame is " + FrameCodec.typeName(type)
                            + " (expected: " + FrameCodec.typeName(firstType) + "); not a Parley RPC peer or no handshake"));
                    return;
                }
            }
            if (in.readableBytes() < length + 4) {
                return; // wait for the rest; at most `limit` bytes are ever buffered
            }
            ByteBuf frame = in.slice(start, (int) length + 4);
            in.skipBytes((int) length + 4);
            first = false;
            try {
                out.add(FrameCodec.decode(frame, reader));
            } catch (FrameException e) {
                if (e.fatal) {
                    fail(in, out, e);
                    return;
                }
                out.add(e);
            } catch (RuntimeException e) {
                // A decoding path missed a check: treat as malformed input, never as a crash.
                fail(in, out, FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, "malformed " + FrameCodec.typeName(frame.getByte(4))
                        + " frame: " + e));
                return;
            }
        }
    }

    /** Bytes buffered towards the next frame: never more than the limit. */
    int buffered() {
        return internalBuffer().readableBytes();
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (!failed && in.isReadable()) {
            log.info("RPC: connection with {} closed in the middle of a frame ({} bytes of it received); dropped",
                    ctx.channel().remoteAddress(), in.readableBytes());
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decodeLast(ctx, in, out);
    }

    private void fail(ByteBuf in, List<Object> out, FrameException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(e);
    }
}
