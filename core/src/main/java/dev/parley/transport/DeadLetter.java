package dev.parley.transport;

import dev.parley.message.Envelope;
import java.time.Instant;

/**
 * A message a transport gave up on: undecodable, expired, or failed on every attempt.
 *
 * @param topic    where it was published
 * @param group    the consumer group that could not process it
 * @param message  the message as published
 * @param reason   the last failure, e.g. {@code INTERNAL: trips/v1 create failed (error id 1c2d3e4f)}
 * @param attempts how many deliveries were tried
 * @param at       when it was dead-lettered
 */
public record DeadLetter(String topic, String group, Envelope message, String reason, int attempts, Instant at) {}
