package dev.parley.console;

/**
 * Feeds the console a section about something outside Parley's core: instances from service
 * discovery, queue depths and dead letters, webhook deliveries and retries, plugin versions
 * and the deployment window. The console calls {@link #read()} once per push (every second by
 * default) on its own thread, never concurrently, and renders the result as a table plus
 * gauges; every string is shown as text, never as markup.
 *
 * <pre>{@code
 * ConsoleSource webhooks = () -> ConsoleSection.builder("Webhook deliveries")
 *         .columns("endpoint", "delivered", "retrying", "failed")
 *         .row("https://partner.example/hooks", "120", "2", "0")
 *         .gauge(ConsoleGauge.of("pending retries", 2))
 *         .build();
 * OperationsConsole.builder().source(webhooks)...
 * }</pre>
 *
 * <p>Keep {@code read()} fast and non-blocking (read counters you already keep): a slow source
 * delays every update. A source that throws is shown as a section with the error instead of
 * its rows, and the others go on.
 */
@FunctionalInterface
public interface ConsoleSource {

    /** The section as it is now. */
    ConsoleSection read();
}
