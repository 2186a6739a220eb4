package dev.parley.contract;

/**
 * The five interaction styles, and how a contract method declares each.
 *
 * <pre>
 *                   one-to-one                       one-to-many
 *  synchronous      REQUEST_RESPONSE                 -
 *                   R m(Q q)
 *  asynchronous     ONE_WAY                          PUBLISH_SUBSCRIBE
 *                   &#64;OneWay void m(Q q)              &#64;Event void m(E e)
 *                   REQUEST_ASYNC_RESPONSE           PUBLISH_ASYNC_RESPONSES
 *                   CompletionStage&lt;R&gt; m(Q q)       &#64;Gather R m(Q q)
 * </pre>
 */
public enum InteractionStyle {
    REQUEST_RESPONSE,
    REQUEST_ASYNC_RESPONSE,
    ONE_WAY,
    PUBLISH_SUBSCRIBE,
    PUBLISH_ASYNC_RESPONSES;

    /** Whether a reply message travels back to the caller. */
    public boolean expectsReply() {
        return this == REQUEST_RESPONSE || this == REQUEST_ASYNC_RESPONSE || this == PUBLISH_ASYNC_RESPONSES;
    }

    /** Whether the message goes to a topic (one-to-many) rather than to one service. */
    public boolean isOneToMany() {
        return this == PUBLISH_SUBSCRIBE || this == PUBLISH_ASYNC_RESPONSES;
    }
}
