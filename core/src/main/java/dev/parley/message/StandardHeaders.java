package dev.parley.message;

/**
 * The header names Parley reads and writes. Every transport maps these one to one (HTTP
 * headers, RPC frame headers, broker message properties); docs/wire-formats.md describes each.
 *
 * <table>
 * <caption>Standard headers</caption>
 * <tr><th>header</th><th>value</th></tr>
 * <tr><td>{@value #MESSAGE_ID}</td><td>unique id of this message (UUID text); duplicates are detected by it</td></tr>
 * <tr><td>{@value #CORRELATION_ID}</td><td>on a reply: the message id of the request it answers</td></tr>
 * <tr><td>{@value #REPLY_TO}</td><td>where replies go (a transport-specific address)</td></tr>
 * <tr><td>{@value #CONTRACT}</td><td>contract name, e.g. {@code trips}</td></tr>
 * <tr><td>{@value #CONTRACT_VERSION}</td><td>the sender's contract version, e.g. {@code 1.2}</td></tr>
 * <tr><td>{@value #OPERATION}</td><td>method name, or event type for events</td></tr>
 * <tr><td>{@value #DEADLINE}</td><td>remaining time budget in milliseconds when sent, e.g. {@code 250}</td></tr>
 * <tr><td>{@value #TRACEPARENT} / {@value #TRACESTATE}</td><td>W3C trace context</td></tr>
 * <tr><td>{@value #AUTHORIZATION}</td><td>{@code Bearer <token>}</td></tr>
 * <tr><td>{@value #CONTENT_TYPE}</td><td>codec of the body, e.g. {@code application/json}</td></tr>
 * <tr><td>{@value #STATUS}</td><td>on a reply: {@code ok}, or the {@link dev.parley.ErrorCode} of an error body</td></tr>
 * <tr><td>{@value #SOURCE}</td><td>the sending service instance, e.g. {@code dispatcher/7f3a}</td></tr>
 * </table>
 */
public final class StandardHeaders {
    public static final String MESSAGE_ID = "parley-message-id";
    public static final String CORRELATION_ID = "parley-correlation-id";
    public static final String REPLY_TO = "parley-reply-to";
    public static final String CONTRACT = "parley-contract";
    public static final String CONTRACT_VERSION = "parley-contract-version";
    public static final String OPERATION = "parley-operation";
    public static final String DEADLINE = "parley-deadline";
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    public static final String AUTHORIZATION = "authorization";
    public static final String CONTENT_TYPE = "content-type";
    public static final String STATUS = "parley-status";
    public static final String SOURCE = "parley-source";

    /** The {@value #STATUS} value of a successful reply. */
    public static final String STATUS_OK = "ok";

    private StandardHeaders() {}
}
