package dev.parley;

import java.util.concurrent.ThreadLocalRandom;

/** Message ids and W3C trace context values, from a thread-local random source (cheap, not secret). */
final class Ids {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Ids() {}

    /** A random version-4 UUID in its text form. */
    static String messageId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        char[] c = new char[36];
        hex(hi >>> 32, c, 0, 8);
        c[8] = '-';
        hex(hi >>> 16, c, 9, 4);
        c[13] = '-';
        hex(hi, c, 14, 4);
        c[18] = '-';
        hex(lo >>> 48, c, 19, 4);
        c[23] = '-';
        hex(lo, c, 24, 12);
        return new String(c);
    }

    /**
     * A traceparent for an outbound call: the inbound trace id with a new span id, or a new
     * trace when there is no (valid) inbound one.
     */
    static String childTraceparent(String inbound) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[55];
        c[0] = '0';
        c[1] = '0';
        c[2] = '-';
        if (inbound != null && inbound.length() == 55 && inbound.charAt(2) == '-' && inbound.charAt(35) == '-') {
            inbound.getChars(3, 35, c, 3);
        } else {
            hex(r.nextLong(), c, 3, 16);
            hex(r.nextLong() | 1, c, 19, 16);
        }
        c[35] = '-';
        hex(r.nextLong() | 1, c, 36, 16);
        c[52] = '-';
        c[53] = '0';
        c[54] = '1';
        return new String(c);
    }

    private static void hex(long value, char[] out, int offset, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out[offset + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
