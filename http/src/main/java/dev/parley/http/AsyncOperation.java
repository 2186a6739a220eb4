package dev.parley.http;

import dev.parley.message.Envelope;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One request/async-response call that the server answered {@code 202 Accepted}: the status
 * resource at {@code /v<major>/operations/<id>}. It holds what is needed to render the final
 * reply exactly as a direct reply would have been rendered (route and negotiated codec), the
 * reply once the dispatcher sends it, and the handle that cancels the dispatcher's work.
 *
 * <p>Thread-safe: completed by the dispatcher's thread, read by whichever connection polls.
 */
final class AsyncOperation {

    private final String id;
    private final int major;
    private final HttpRoute route;
    private final String accept;
    private final Runnable cancelWork;
    private final AtomicReference<@Nullable Envelope> reply = new AtomicReference<>();
    private volatile @Nullable AsyncOperations store;
    private final @Nullable URI callback;
    private final @Nullable CallbackSender callbacks;
    /** Guarded by the store's lock: when the store may forget this operation. */
    long expiresAtNanos;

    AsyncOperation(String id, int major, HttpRoute route, String accept, Runnable cancelWork) {
        this(id, major, route, accept, cancelWork, null, null);
    }

    /** With a {@code callback}: the reply is also sent there by {@code callbacks} once it comes. */
    AsyncOperation(String id, int major, HttpRoute route, String accept, Runnable cancelWork,
                   @Nullable URI callback, @Nullable CallbackSender callbacks) {
        this.callback = callback;
        this.callbacks = callbacks;
        this.id = id;
        this.major = major;
        this.route = route;
        this.accept = accept;
        this.cancelWork = cancelWork;
    }

    String id() {
        return id;
    }

    int major() {
        return major;
    }

    HttpRoute route() {
        return route;
    }

    String accept() {
        return accept;
    }

    /** The path of the status resource, as sent in {@code Location}. */
    String location() {
        return "/v" + major + "/operations/" + id;
    }

    /** The dispatcher's reply, or null while the operation runs. */
    @Nullable Envelope reply() {
        return reply.get();
    }

    boolean isDone() {
        return reply.get() != null;
    }

    /** Records the dispatcher's reply (the first one wins) and restarts the retention clock. */
    void complete(Envelope value) {
        if (reply.compareAndSet(null, value)) {
            AsyncOperations s = store;
            if (s != null) {
                s.completed(this);
            }
            if (callback != null && callbacks != null) {
                callbacks.deliver(this, callback, value);
            }
        }
    }

    /** Stops the dispatcher's work; its stage is cancelled and the handler thread interrupted. */
    void cancel() {
        cancelWork.run();
    }

    void registeredIn(AsyncOperations operations) {
        this.store = operations;
    }

    @Override
    public String toString() {
        return location() + " (" + route.operation().qualifiedName() + (isDone() ? ", done)" : ", running)");
    }
}
