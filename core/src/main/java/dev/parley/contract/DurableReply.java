package dev.parley.contract;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks that a reply to this request/async response method reach the caller's service even when
 * it arrives after the caller restarted: over a broker transport whose reply channel is durable
 * (a stable client id), a reply that no waiting call takes is passed to the handler registered
 * with {@code Parley.lateReplies(contract, handler)}. Only for methods returning
 * {@code CompletionStage<T>}: their replies may come much later.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface DurableReply {}
