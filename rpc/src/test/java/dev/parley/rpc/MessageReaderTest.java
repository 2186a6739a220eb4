package dev.parley.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** A connection's reader remembers standard header values; what it hands out must be what the frame says, checked as before. */
class MessageReaderTest {

    private final MessageReader reader = new MessageReader();

    private static ByteBuf request(int stream, String operation, String messageId, byte[] body) {
        Headers h = Headers.builder()
                .set(StandardHeaders.CONTRACT, "echo")
                .set(StandardHeaders.OPERATION, operation)
                .set(StandardHeaders.MESSAGE_ID, messageId)
                .set("x-tenant", "acme")
                .build();
        return FrameCodec.message(Frame.REQUEST, stream, Envelope.of(h, body), UnpooledByteBufAllocator.DEFAULT);
    }

    /** The frame with its one 'X' replaced by 0x01. */
    private static ByteBuf withControlCharacter(ByteBuf frame) {
        int at = frame.indexOf(0, frame.writerIndex(), (byte) 'X');
        assertThat(at).isPositive();
        return frame.setByte(at, 1);
    }

    private Frame.Request decode(ByteBuf frame) {
        try {
            return (Frame.Request) FrameCodec.decode(frame, reader);
        } finally {
            frame.release();
        }
    }

    @Test
    void repeatedAndChangedValuesDecodeToWhatWasSent() {
        Frame.Request first = decode(request(1, "echo", "id-1", new byte[] {1, 2}));
        Frame.Request second = decode(request(3, "echo", "id-2", new byte[] {3}));
        Frame.Request third = decode(request(5, "echoes", "id-3", new byte[0]));

        assertThat(second.message().headers().valueOrNull(StandardHeaders.OPERATION)).isEqualTo("echo");
        assertThat(second.message().headers().valueOrNull(StandardHeaders.MESSAGE_ID)).isEqualTo("id-2");
        assertThat(second.message().body()).containsExactly(3);
        assertThat(third.message().headers().valueOrNull(StandardHeaders.OPERATION)).isEqualTo("echoes");
        assertThat(third.message().headers().valueOrNull(StandardHeaders.MESSAGE_ID)).isEqualTo("id-3");
        assertThat(third.message().headers().valueOrNull("x-tenant")).isEqualTo("acme");
        assertThat(third.message().body()).isEmpty();
        assertThat(first.message().headers()).isEqualTo(Headers.builder().set(StandardHeaders.CONTRACT, "echo")
                .set(StandardHeaders.OPERATION, "echo").set(StandardHeaders.MESSAGE_ID, "id-1").set("x-tenant", "acme").build());
        assertThat(first.message().body()).containsExactly(1, 2);
    }

    @Test
    void aValueWithTheSameLengthAsTheRememberedOneIsStillChecked() {
        decode(request(1, "echo", "abcd", new byte[0]));
        // Same length as the remembered "abcd", but with a control character (no builder makes one, so the bytes are patched).
        assertThatThrownBy(() -> decode(withControlCharacter(request(3, "echo", "abXd", new byte[0]))))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.fatal).isFalse())
                .hasMessageContaining("control character");
        // And the bad value was not remembered.
        assertThatThrownBy(() -> decode(withControlCharacter(request(5, "echo", "abXd", new byte[0])))).isInstanceOf(FrameException.class);
        assertThat(decode(request(7, "echo", "abcd", new byte[0])).message().headers().valueOrNull(StandardHeaders.MESSAGE_ID))
                .isEqualTo("abcd");
    }

    @Test
    void framesLargerThanTheScratchArrayDecode() {
        byte[] big = new byte[20_000];
        big[19_999] = 7;
        Frame.Request small = decode(request(1, "echo", "id", new byte[] {9}));
        Frame.Request large = decode(request(3, "echo", "id", big));
        Frame.Request smallAgain = decode(request(5, "echo", "id", new byte[] {8}));
        assertThat(small.message().body()).containsExactly(9);
        assertThat(large.message().body()).hasSize(20_000).endsWith(7);
        assertThat(smallAgain.message().body()).containsExactly(8);
    }
}
