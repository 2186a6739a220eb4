package dev.parley.contract.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A hypermedia link rendered in the method's HTTP reply, its path template filled from the reply
 * record's fields: {@code @Link(rel = "cancel", method = "DELETE", path = "/trips/{id}")} on a
 * method returning a trip adds {@code "_links": {"cancel": {"href": "/v1/trips/t-1", "method": "DELETE"}}}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Repeatable(Link.List.class)
public @interface Link {
    String rel();

    String method() default "GET";

    String path();

    /** Holds repeated {@link Link}s. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface List {
        Link[] value();
    }
}
