package dev.parley.console;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open {@code /api/events} connections: at most {@code limit} of them. A snapshot is
 * encoded once and written to every stream without waiting; a stream whose channel is no
 * longer writable (more than {@link ConsoleServer#SLOW_CLIENT_BYTES} queued: the client stopped
 * reading) is closed, so one slow page never holds up the others or the server's memory.
 */
final class EventStreams {

    private static final Logger log = LoggerFactory.getLogger(EventStreams.class);

    private final int limit;
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong eventId = new AtomicLong();
    private final AtomicLong droppedSlow = new AtomicLong();

    EventStreams(int limit) {
        this.limit = limit;
    }

    int limit() {
        return limit;
    }

    int size() {
        return count.get();
    }

    long droppedSlow() {
        return droppedSlow.get();
    }

    boolean contains(Channel channel) {
        return channels.contains(channel);
    }

    /** Admits a client unless {@code limit} are connected. */
    boolean tryAdd(Channel channel) {
        while (true) {
            int n = count.get();
            if (n >= limit) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                channels.add(channel);
                return true;
            }
        }
    }

    void remove(Channel channel) {
        if (channels.remove(channel)) {
            count.decrementAndGet();
        }
    }

    /** Sends a {@code snapshot} event to every client; the frame is encoded once and shared. */
    void publish(String json) {
        broadcast(frame(json));
    }

    /** Sends a {@code snapshot} event to one client (the first one after it connected). */
    void sendTo(Channel channel, String json) {
        if (channels.contains(channel)) {
            ByteBuf frame = Unpooled.copiedBuffer(frame(json), StandardCharsets.UTF_8);
            write(channel, frame);
        }
    }

    /** A comment line: keeps proxies from closing quiet streams and lets clients notice dead ones. */
    void heartbeat() {
        broadcast(": heartbeat\n\n");
    }

    private void broadcast(String text) {
        ByteBuf frame = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try {
            for (Channel channel : channels) {
                write(channel, frame.retainedDuplicate());
            }
        } finally {
            frame.release();
        }
    }

    /** Ends every stream properly (the closing chunk, then close), waiting a moment for them. */
    void closeAll() {
        java.util.List<io.netty.channel.ChannelFuture> closing = new java.util.ArrayList<>();
        for (Channel channel : channels) {
            closing.add(channel.writeAndFlush(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE));
        }
        for (io.netty.channel.ChannelFuture f : closing) {
            if (!f.awaitUninterruptibly(1, java.util.concurrent.TimeUnit.SECONDS)) {
                f.channel().close();
            }
        }
    }

    private String frame(String json) {
        // JSON from SnapshotJson has no raw line breaks, so it fits in one data line.
        return "id: " + eventId.incrementAndGet() + "\nevent: snapshot\ndata: " + json + "\n\n";
    }

    /** Writes {@code frame} (and takes over its reference) unless the client is gone or too slow. */
    private void write(Channel channel, ByteBuf frame) {
        if (!channel.isActive()) {
            frame.release();
            remove(channel);
            return;
        }
        if (!channel.isWritable()) {
            frame.release();
            droppedSlow.incrementAndGet();
            log.info("console event stream {} dropped: the client is not reading", channel.remoteAddress());
            remove(channel);
            channel.close();
            return;
        }
        channel.writeAndFlush(new DefaultHttpContent(frame));
    }
}
