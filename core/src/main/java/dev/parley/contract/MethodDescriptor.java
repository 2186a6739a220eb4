package dev.parley.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.Optional;

/**
 * One operation of a contract.
 *
 * @param name       the Java method name, unique within the contract
 * @param style      the interaction style that follows from the signature
 * @param request    the name of the request (or event) message; empty for a method without parameter
 * @param response   the name of the reply message; empty when no reply body is sent
 * @param idempotent whether the method may be retried
 * @param eventType  for {@link InteractionStyle#PUBLISH_SUBSCRIBE}: the event type on the wire
 * @param deadline   the method's declared default deadline
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record MethodDescriptor(
        String name,
        InteractionStyle style,
        Optional<String> request,
        Optional<String> response,
        boolean idempotent,
        Optional<String> eventType,
        Optional<Duration> deadline) {}
