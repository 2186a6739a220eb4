package dev.parley.rpc;

import dev.parley.internal.HeaderAccess;
import dev.parley.message.Headers;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the header block and body of REQUEST, ONE_WAY and REPLY frames for one connection
 * (its event loop only). Two things make it cheaper than reading the frame buffer byte by
 * byte, which was the largest item of a server's time per call:
 *
 * <ul>
 *   <li>the rest of the frame is copied once into a scratch array (one per thread) and parsed there;</li>
 *   <li>the last value of every standard header is remembered with its bytes: a value that
 *       arrives again byte for byte (the contract, version, operation, content type and source
 *       of every call on a connection) reuses the String decoded and checked the first time.
 *       Only values that passed {@link Headers}' checks are remembered, so a reused value needs
 *       no check; new values are checked as before.</li>
 * </ul>
 *
 * It also reads the header blocks and strings of the connection frames (HELLO's properties,
 * ERROR's message), so that every count and length of the protocol is checked in one place,
 * against the bytes left.
 */
final class MessageReader {

    private static final HeaderAccess.Setter HEADERS = HeaderAccess.setter();
    /** Longer values are not remembered: ids and tokens change per call, and large ones would only hold memory. */
    private static final int MAX_REMEMBERED_BYTES = 256;
    /** The scratch array is kept up to this size (calls are mostly small); a larger frame gets an array of its own. */
    private static final int MAX_SCRATCH_BYTES = 8 * 1024;
    /**
     * One scratch array per thread, not per connection: a frame is parsed and copied out of it
     * within one call, on the connection's event loop, so the connections of a loop can share it
     * (an idle connection then holds only the remembered values).
     */
    private static final FastThreadLocal<byte[][]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[][] initialValue() {
            return new byte[][] {new byte[512]};
        }
    };

    private final String[] values = new String[FrameCodec.STATIC_NAMES.length];
    private final byte[][] valueBytes = new byte[FrameCodec.STATIC_NAMES.length][];
    private final int[] valueLengths = new int[FrameCodec.STATIC_NAMES.length];
    private static final byte[] EMPTY = new byte[0];

    /** The frame being read: the thread's scratch array or, for a large frame, its own; EMPTY between frames. */
    private byte[] a = EMPTY;
    private int pos;
    private int end;

    /** Takes the rest of {@code frame} (the header block and body), which is consumed. */
    void load(ByteBuf frame) {
        int n = frame.readableBytes();
        byte[][] holder = SCRATCH.get();
        byte[] scratch = holder[0];
        if (n > scratch.length) {
            if (n <= MAX_SCRATCH_BYTES) {
                scratch = new byte[Math.min(MAX_SCRATCH_BYTES, Math.max(n, scratch.length * 2))];
                holder[0] = scratch;
                a = scratch;
            } else {
                a = new byte[n];
            }
        } else {
            a = scratch;
        }
        frame.readBytes(a, 0, n);
        pos = 0;
        end = n;
    }

    /** The bytes after the header block: the body. */
    byte[] rest() {
        return Arrays.copyOfRange(a, pos, end);
    }

    /** Done with the frame: a large frame's own array is not kept until the next one. */
    void done() {
        a = EMPTY;
        pos = 0;
        end = 0;
    }

    /** Reads a header block; IllegalArgumentException (from here or from Headers) when it is malformed. */
    Headers readHeaderBlock() {
        int count = readVarint();
        if (count > Headers.MAX_HEADERS) {
            throw new IllegalArgumentException("header count " + Integer.toUnsignedString(count) + " (expected: at most " + Headers.MAX_HEADERS + ")");
        }
        if (count == 0) {
            return Headers.empty();
        }
        Headers.Builder b = Headers.builder();
        for (int i = 0; i < count; i++) {
            int index = readVarint();
            if (index == 0) {
                String name = readString(Headers.MAX_NAME_LENGTH * 4, "header name");
                b.set(name, readString(Headers.MAX_VALUE_LENGTH * 4, "header " + name));
            } else if (index > 0 && index < FrameCodec.STATIC_NAMES.length) {
                readStandard(b, index);
            } else {
                throw new IllegalArgumentException("header name index " + Integer.toUnsignedString(index) + " (expected: 0 to "
                        + (FrameCodec.STATIC_NAMES.length - 1) + ")");
            }
        }
        return b.build();
    }

    /** The value of a standard header: the remembered String when the bytes are the same, else decoded and checked. */
    private void readStandard(Headers.Builder b, int index) {
        String name = FrameCodec.STATIC_NAMES[index];
        int length = readVarint();
        if (length < 0 || length > end - pos || length > Headers.MAX_VALUE_LENGTH * 4) {
            checkLength(length, Headers.MAX_VALUE_LENGTH * 4, "header " + name); // throws
        }
        byte[] known = valueBytes[index];
        if (known != null && valueLengths[index] == length && Arrays.equals(a, pos, pos + length, known, 0, length)) {
            pos += length;
            HEADERS.setTrusted(b, name, values[index]);
            return;
        }
        String value = new String(a, pos, length, StandardCharsets.UTF_8);
        HEADERS.setValue(b, name, value); // checks the value; throws before it is remembered
        if (length <= MAX_REMEMBERED_BYTES) {
            if (known == null || known.length < length) {
                known = new byte[length];
                valueBytes[index] = known;
            }
            System.arraycopy(a, pos, known, 0, length);
            valueLengths[index] = length;
            values[index] = value;
        }
        pos += length;
    }

    /** Bytes of the frame not read yet. */
    int remaining() {
        return end - pos;
    }

    /** A length-prefixed UTF-8 string of at most {@code maxBytes}. */
    String readString(int maxBytes, String what) {
        int length = readVarint();
        checkLength(length, maxBytes, what);
        String s = new String(a, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    private void checkLength(int length, int maxBytes, String what) {
        if (length < 0 || length > end - pos) {
            throw new IllegalArgumentException(what + ": length " + Integer.toUnsignedString(length) + " but only "
                    + (end - pos) + " bytes left in the frame");
        }
        if (length > maxBytes) {
            throw new IllegalArgumentException(what + ": " + length + " bytes (expected: at most " + maxBytes + ")");
        }
    }

    private int readVarint() {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (pos >= end) {
                throw new IllegalArgumentException("varint runs past the end of the frame");
            }
            byte b = a[pos++];
            if (shift == 28 && (b & 0xF0) != 0) {
                throw new IllegalArgumentException("varint over 32 bits");
            }
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than 5 bytes");
    }
}
