package dev.parley.contract;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a Java interface as a Parley contract: a named, versioned API whose methods are the
 * operations and whose parameter and return types are records (the messages).
 *
 * <pre>{@code
 * @Contract(name = "trips", version = "1.2")
 * public interface TripService {
 *     TripView create(CreateTrip request);                       // request/response
 *     CompletionStage<PaymentResult> authorize(Authorize req);   // request/async response
 *     @OneWay void requestPickup(PickupRequest request);         // one-way notification
 * }
 * }</pre>
 *
 * <p>The interaction style of every method follows from its signature and annotations; see
 * {@link InteractionStyle}. A contract that breaks the rules is rejected with a
 * {@link ContractException} naming the method and the problem when it is first used.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Contract {
    /** The contract's name, stable across versions: lower case letters, digits, '-' and '.'. */
    String name();

    /** The semantic version {@code major.minor}; the major version is part of every address. */
    String version();

    /** A default deadline for every call of the contract, as an ISO-8601 duration; empty means the runtime's default. */
    String deadline() default "";
}
