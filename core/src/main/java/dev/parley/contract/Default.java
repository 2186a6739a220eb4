package dev.parley.contract;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a record component takes when a message arrives without it (an older sender), or
 * with {@code null} for a component of a reference type. (A primitive component sent as an
 * explicit {@code null} reads as zero or false: JSON null is no number.) The text is read as JSON when it parses as JSON and as a string otherwise,
 * so {@code @Default("0")}, {@code @Default("true")} and {@code @Default("standard")} all work.
 *
 * <p>A field added in a minor version must have a default (or be {@code Optional}, a
 * collection, or {@code @Nullable}); the compatibility check enforces it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD})
public @interface Default {
    String value();
}
