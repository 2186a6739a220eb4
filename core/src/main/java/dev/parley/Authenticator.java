package dev.parley;

import dev.parley.message.Headers;

/**
 * Checks who is calling, from the inbound message's headers (normally the
 * {@code authorization: Bearer ...} token), for every transport alike. The JWT module provides
 * one; a service that serves methods with {@link dev.parley.contract.RequiresScopes} must be
 * given one ({@code Parley.builder().authenticator(..)}), or it refuses to start.
 *
 * <p>Implementations are called on the handler's thread, once per call, and must be
 * thread-safe. They throw {@link ParleyException} with {@link ErrorCode#UNAUTHENTICATED} when
 * the credentials are missing or invalid, with a message that helps no attacker.
 */
@FunctionalInterface
public interface Authenticator {

    /** The caller's identity; throws {@code UNAUTHENTICATED} when there is none or it is invalid. */
    CallerIdentity authenticate(Headers headers);
}
