package dev.parley;

/**
 * Where a service's handlers run.
 *
 * <ul>
 *   <li>{@link #VIRTUAL_THREAD} (the default): each call on its own virtual thread. Handlers may
 *       block (call other services, wait on a database); a deadline or a cancellation interrupts
 *       the thread.</li>
 *   <li>{@link #DIRECT}: on the thread that delivered the message, without a hand-off. Only for
 *       handlers that never block (pure computation, or returning a {@code CompletionStage}); the
 *       deadline is checked before and after, but a running synchronous handler is not interrupted.
 *       This is the fastest path, like gRPC's direct executor.</li>
 * </ul>
 */
public enum HandlerExecution {
    VIRTUAL_THREAD,
    DIRECT
}
