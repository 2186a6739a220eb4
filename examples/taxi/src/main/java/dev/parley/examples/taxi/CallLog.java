package dev.parley.examples.taxi;

import dev.parley.CallEvent;
import dev.parley.CallListener;
import dev.parley.contract.InteractionStyle;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every call the showcase's runtimes made, with the service that made it and the transport
 * it went over. A {@link CallEvent} names the style but not the transport, and each Parley
 * runtime has exactly one transport for one-to-one calls and one for topics, so the log
 * attaches one listener per runtime that knows both.
 */
public final class CallLog {

    /**
     * One call.
     *
     * @param service   the service whose runtime made (client) or handled (server) it
     * @param transport the transport it went over: {@code http}, {@code rpc}, {@code plugin},
     *                  {@code in-process}, {@code rabbitmq}, {@code nats}, {@code kafka}
     * @param event     what Parley reported
     */
    public record Call(String service, String transport, CallEvent event) {

        /** How the console and the log print a call. */
        public String describe() {
            return String.format(Locale.ROOT, "   [%s over %s] %s %s %s %s: %s%s (%.1f ms)", style(event.style()), transport, service,
                    event.side() == CallEvent.Side.CLIENT ? "->" : "<-", event.contract(), event.operation(),
                    event.error().map(Enum::name).orElse("ok"), event.fallbackUsed() ? ", answered by fallback" : "",
                    event.durationNanos() / 1e6);
        }
    }

    /** The log keeps the newest calls only, so a showcase left running does not grow without bound. */
    static final int MAX_CALLS = 10_000;

    private final java.util.ArrayDeque<Call> calls = new java.util.ArrayDeque<>();
    private final List<Consumer<Call>> watchers = new CopyOnWriteArrayList<>();

    /** A listener for a runtime of {@code service} whose calls go over {@code callTransport} and events over {@code topicTransport}. */
    CallListener listener(String service, String callTransport, String topicTransport) {
        return event -> {
            boolean topic = event.style() == InteractionStyle.PUBLISH_SUBSCRIBE || event.style() == InteractionStyle.PUBLISH_ASYNC_RESPONSES;
            Call call = new Call(service, topic ? topicTransport : callTransport, event);
            synchronized (calls) {
                if (calls.size() == MAX_CALLS) {
                    calls.removeFirst();
                }
                calls.addLast(call);
            }
            watchers.forEach(w -> w.accept(call));
        };
    }

    /** Passes every call from now on to {@code watcher} (e.g. an operations console). */
    public void watch(Consumer<Call> watcher) {
        watchers.add(watcher);
    }

    /** The calls so far (the newest {@value #MAX_CALLS}), oldest first. */
    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    static String style(InteractionStyle style) {
        return switch (style) {
            case REQUEST_RESPONSE -> "request/response";
            case REQUEST_ASYNC_RESPONSE -> "request/async response";
            case ONE_WAY -> "one-way";
            case PUBLISH_SUBSCRIBE -> "publish/subscribe";
            case PUBLISH_ASYNC_RESPONSES -> "publish/async responses";
        };
    }
}
