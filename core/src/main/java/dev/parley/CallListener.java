package dev.parley;

/**
 * Sees every finished call, on the client and the server side: for metrics (the Micrometer
 * module implements it), logs or tests. Called on the thread that finished the call; keep it
 * fast and never throw.
 */
@FunctionalInterface
public interface CallListener {
    void onCall(CallEvent event);
}
