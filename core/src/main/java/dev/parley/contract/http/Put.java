package dev.parley.contract.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Serves the method over HTTP as {@code PUT /v<major><path>}. Path variables such as
 * {@code {id}} name fields of the request record; see {@link package-info the package} for
 * how the rest of the request is read.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Put {
    /** The path template below the version prefix, e.g. {@code /trips/{id}}. */
    String value();
}
