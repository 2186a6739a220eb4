package dev.parley.contract;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scopes (or roles) a caller's token must grant to call a method; on the interface, for
 * every method that does not declare its own. The service's {@link dev.parley.Authenticator}
 * checks the token on every inbound call, whatever the transport: a missing or invalid token
 * is {@code UNAUTHENTICATED}, a valid one without every listed scope {@code PERMISSION_DENIED}.
 *
 * <pre>{@code
 * @RequiresScopes("trips:write")
 * TripView create(CreateTrip request);
 * }</pre>
 *
 * An empty list on a method makes it public within a contract that requires scopes.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RequiresScopes {
    String[] value();
}
