package dev.parley;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The outcome of a publish/async responses call. Partial results are normal: it says who
 * answered, who failed, and who stayed silent, and why the gather ended.
 *
 * @param replies   successful replies in arrival order
 * @param failures  responders that answered with an error, by responder id
 * @param silent    responders the request reached that did not answer in time (empty when the
 *                  transport cannot know who it reached)
 * @param ending    why the gather stopped
 * @param elapsed   how long it took
 * @param <R>       the reply type
 */
public record Gathered<R>(List<Reply<R>> replies, Map<String, ParleyException> failures, Set<String> silent, Ending ending,
                          Duration elapsed) {

    public Gathered {
        replies = List.copyOf(replies);
        failures = Map.copyOf(failures);
        silent = Set.copyOf(silent);
    }

    /** One responder's answer. */
    public record Reply<R>(String responder, R value) {}

    /** Why a gather stopped. */
    public enum Ending {
        /** As many replies as wanted arrived. */
        WANTED_REACHED,
        /** Every responder the request reached answered. */
        ALL_ANSWERED,
        /** The deadline passed first. */
        DEADLINE
    }

    /** The reply values alone. */
    public List<R> values() {
        return replies.stream().map(Reply::value).toList();
    }

    /** The ids of the responders that answered successfully. */
    public List<String> responders() {
        return replies.stream().map(Reply::responder).toList();
    }
}
