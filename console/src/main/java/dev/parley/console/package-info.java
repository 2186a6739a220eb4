/**
 * Parley's operations console: {@link dev.parley.console.OperationsConsole} watches Parley
 * runtimes and serves a live page, a JSON snapshot and a server-sent event stream; a
 * {@link dev.parley.console.ConsoleSource} adds sections for what lives outside the core
 * (instances, queues, webhooks, plugins).
 */
@NullMarked
package dev.parley.console;

import org.jspecify.annotations.NullMarked;
