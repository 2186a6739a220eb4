package dev.parley.contract;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Publish/async responses (scatter-gather): the request is published to every responder of
 * the contract and replies are gathered until a deadline or a wanted count.
 *
 * <p>The method is declared from the responder's side: it takes one record and returns one
 * record, and every responder implements it. Callers use {@code Parley.gather(..)}, which
 * returns a {@link dev.parley.Gathered} naming who answered and who did not.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Gather {}
