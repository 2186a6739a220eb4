/**
 * Outbound HTTP to URLs chosen by someone else (webhook endpoints, async-operation callbacks),
 * guarded against server-side request forgery: {@link dev.parley.net.SsrfPolicy} says which
 * targets may be called, {@link dev.parley.net.GuardedHttpClient} POSTs to the very address
 * the policy checked, so a DNS answer that changes between check and connect cannot redirect
 * it. JDK only.
 */
@NullMarked
package dev.parley.net;

import org.jspecify.annotations.NullMarked;
