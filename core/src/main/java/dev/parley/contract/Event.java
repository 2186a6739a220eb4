package dev.parley.contract;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Publish/subscribe: the method publishes its single record parameter as an event on the
 * contract's topic. It returns {@code void} (the call returns once the transport accepted the
 * event) or {@code CompletionStage<Void>}.
 *
 * <p>Publishers call the method on a proxy from {@code Parley.publisher(..)}; subscribers
 * implement it and register with {@code Parley.subscribe(..)}. Every subscribing service gets
 * each event once; the instances of one service share the work as a consumer group.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Event {
    /** The event type on the wire; defaults to the simple name of the event record. */
    String value() default "";
}
