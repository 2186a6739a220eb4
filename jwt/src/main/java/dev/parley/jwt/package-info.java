/**
 * Bearer-token authentication for Parley: {@link dev.parley.jwt.JwtAuthenticator} verifies the
 * {@code authorization: Bearer <JWT>} of every inbound call against a JWK set,
 * {@link dev.parley.jwt.TokenIssuer} signs tokens and publishes its public keys, and
 * {@link dev.parley.jwt.ServiceToken} keeps a service's own token fresh for outbound calls.
 */
@NullMarked
package dev.parley.jwt;

import org.jspecify.annotations.NullMarked;
