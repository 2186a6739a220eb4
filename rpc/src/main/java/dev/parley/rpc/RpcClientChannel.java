package dev.parley.rpc;

import dev.parley.ErrorCode;
import dev.parley.TransportException;
import dev.parley.message.Envelope;
import dev.parley.transport.ClientChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The client end of one contract over RPC: encodes each call into a frame on the caller's
 * thread, then hands it to a connection of the contract's {@link Endpoint}.
 */
final class RpcClientChannel implements ClientChannel {

    private final Endpoint endpoint;
    private final String target;

    RpcClientChannel(Endpoint endpoint, String address) {
        this.endpoint = endpoint;
        this.target = "rpc://" + endpoint.address() + "/" + address;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public CompletableFuture<Envelope> request(Envelope request) {
        ClientCall.CallFuture<Envelope> reply = new ClientCall.CallFuture<>();
        submit(Frame.REQUEST, request, reply);
        return reply;
    }

    @Override
    public CompletableFuture<Void> send(Envelope message) {
        ClientCall.CallFuture<Void> sent = new ClientCall.CallFuture<>();
        submit(Frame.ONE_WAY, message, sent);
        return sent;
    }

    private void submit(byte type, Envelope message, ClientCall.CallFuture<?> future) {
        // Checked before encoding from the body alone: a huge body is refused without copying it.
        if (message.body().length + Frame.HEADER_BYTES > endpoint.settings.maxFrameBytes()) {
            future.completeExceptionally(tooLarge(FrameCodec.messageFrameSize(message)));
            return;
        }
        ByteBuf frame = FrameCodec.message(type, 0, message, ByteBufAllocator.DEFAULT);
        if (frame.readableBytes() > endpoint.settings.maxFrameBytes()) {
            int size = frame.readableBytes();
            frame.release();
            future.completeExceptionally(tooLarge(size));
            return;
        }
        ClientCall call = new ClientCall(frame, future, type == Frame.ONE_WAY);
        future.call = call;
        CompletableFuture<ClientConnection> connection = endpoint.acquire();
        if (connection.isDone() && !connection.isCompletedExceptionally()) {
            connection.join().submit(call);
            return;
        }
        connection.whenComplete((c, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                call.fail(cause instanceof TransportException ? cause : new TransportException(target + ": " + cause.getMessage(), cause));
            } else {
                c.submit(call);
            }
        });
    }

    private TransportException tooLarge(int size) {
        return new TransportException(ErrorCode.PAYLOAD_TOO_LARGE, target + ": message of " + size + " bytes over the limit of "
                + endpoint.settings.maxFrameBytes() + " bytes (maxFrameBytes)", null);
    }

    @Override
    public String toString() {
        return target;
    }
}
