package dev.parley.contract.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The method creates a resource: the HTTP reply is {@code 201 Created} with a {@code Location}
 * header built from this template and the reply record's fields, e.g. {@code /trips/{id}}
 * (below the version prefix).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Created {
    String value();
}
