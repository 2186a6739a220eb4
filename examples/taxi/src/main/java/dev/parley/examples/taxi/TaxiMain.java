package dev.parley.examples.taxi;

import java.net.URI;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the taxi showcase, or one of its services, and keeps it running until Ctrl-C.
 *
 * <pre>
 * ./mvnw -q -Pshowcase -pl examples/taxi -am verify                              everything, embedded defaults
 * ./mvnw -q -Pshowcase -pl examples/taxi verify -Dtaxi.role=passengers            one service per process
 * ./mvnw -q -Pshowcase -pl examples/taxi verify -Dtaxi.broker=rabbitmq            another broker
 * </pre>
 *
 * Settings: {@code taxi-defaults.properties}, a file given with {@code -Dtaxi.config=path}, and
 * {@code -Dtaxi.*} system properties, in that order (see examples/taxi/README.md).
 */
public final class TaxiMain {

    private TaxiMain() {}

    public static void main(String[] args) throws InterruptedException {
        TaxiConfig config;
        try {
            config = TaxiConfig.load();
        } catch (IllegalArgumentException e) {
            System.err.println("taxi: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("== Parley taxi showcase: " + config.role().label() + " ==");
        // The all-in-one application has an operations console that watches every runtime it builds.
        OperationsView console = config.role() == TaxiConfig.Role.ALL ? OperationsView.create(config.host(), config.port("console")) : null;
        TaxiApplication app = TaxiApplication.start(config, System.out::println, console != null ? console : RuntimeObserver.NONE);
        URI consoleUri = console != null ? console.start(app) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("taxi: stopping");
            app.close();
            if (console != null) {
                console.close();
            }
            stopped.countDown();
        }, "taxi-shutdown"));

        System.out.println();
        app.tripsUrl().ifPresent(url -> {
            System.out.println("HTTP API:  " + url + "/v1/trips        (try: curl -i " + url + "/v1/openapi.json)");
            System.out.println("Health:    " + url + "/health/ready");
            if (config.role() == TaxiConfig.Role.ALL) {
                System.out.println("Demo:      curl -X POST -H 'content-type: application/json' -d '{}' " + url
                        + "/v1/demo/drivers/stop   (then .../start)");
            }
        });
        if (consoleUri != null) {
            System.out.println("Console:   " + consoleUri + "   (open it in a browser: live calls, breakers, registry, webhooks, plugin)");
        }
        System.out.println("Press Ctrl-C to stop.");
        System.out.println();
        // Every outbound call, with its interaction style and transport, and every call a service failed to handle
        // (a one-way request has nobody to tell: a malformed pickup is answered 202 and shows up only here).
        app.calls().watch(call -> {
            if (call.event().side() == dev.parley.CallEvent.Side.CLIENT || !call.event().succeeded()) {
                System.out.println(call.describe());
            }
        });
        app.startPassengerApp();
        stopped.await();
    }
}
