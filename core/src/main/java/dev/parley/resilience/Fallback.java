package dev.parley.resilience;

import org.jspecify.annotations.Nullable;
import dev.parley.ParleyException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What a method returns instead of failing, when the failure is the dependency's fault
 * (unavailable, circuit open, bulkhead full, deadline, internal error) rather than an answer
 * (not found, invalid argument, permission denied...). Attach one per method through
 * {@code ClientOptions}.
 *
 * <pre>{@code
 * .method("quote", m -> m.fallback(Fallback.value(Quote.UNAVAILABLE)))
 * .method("profile", m -> m.fallback(Fallback.cached()))
 * .method("route", m -> m.fallback(Fallback.call((request, failure) -> backupRouter.route((RouteRequest) request))))
 * }</pre>
 */
public interface Fallback {

    /** The reply to use instead of {@code failure}; throwing rethrows to the caller. */
    @Nullable Object apply(@Nullable Object request, ParleyException failure);

    /** Sees every successful reply (for {@link #cached()}); does nothing by default. */
    default void onSuccess(@Nullable Object request, @Nullable Object reply) {}

    /** Whether this fallback answers for {@code failure}; by default for the dependency's failures. */
    default boolean appliesTo(ParleyException failure) {
        return failure.code().isDependencyFailure();
    }

    /** A fixed value. */
    static Fallback value(Object value) {
        return (request, failure) -> value;
    }

    /** An alternative computation, such as a call to another service or a degraded local answer. */
    static Fallback call(BiFunction<@Nullable Object, ParleyException, @Nullable Object> alternative) {
        return alternative::apply;
    }

    /** The last successful reply to an equal request (up to 1,024 requests remembered); rethrows when there is none. */
    static Fallback cached() {
        return new Cached(1024);
    }

    /** {@link Fallback#cached()}. */
    final class Cached implements Fallback {
        private final Map<Object, Object> lastReplies;

        Cached(int capacity) {
            this.lastReplies = new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Object, Object> eldest) {
                    return size() > capacity;
                }
            };
        }

        @Override
        public synchronized void onSuccess(@Nullable Object request, @Nullable Object reply) {
            lastReplies.put(request == null ? Cached.class : request, reply);
        }

        @Override
        public synchronized Object apply(@Nullable Object request, ParleyException failure) {
            Object reply = lastReplies.get(request == null ? Cached.class : request);
            if (reply == null) {
                throw failure;
            }
            return reply;
        }
    }
}
