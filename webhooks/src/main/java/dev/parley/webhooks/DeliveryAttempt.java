package dev.parley.webhooks;

import java.time.Duration;
import java.time.Instant;

/**
 * One attempt in the delivery log.
 *
 * @param number     1 for the first attempt; numbering continues across replays
 * @param at         when it was made
 * @param outcome    how it ended
 * @param statusCode the HTTP status, 0 when there was no answer
 * @param latency    time to the response head (or to the failure)
 * @param response   the start of the response body, or the error
 */
public record DeliveryAttempt(int number, Instant at, AttemptOutcome outcome, int statusCode, Duration latency,
                              String response) {}
