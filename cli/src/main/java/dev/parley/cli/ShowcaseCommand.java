package dev.parley.cli;

import dev.parley.examples.taxi.TaxiConfig;
import dev.parley.examples.taxi.TaxiMain;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parley showcase}: runs the taxi-hailing showcase (examples/taxi) until Ctrl-C, all
 * services in this process on embedded defaults, or one service per process with
 * {@code --role}; the options are the showcase's {@code taxi.*} settings
 * (examples/taxi/README.md).
 */
@Command(name = "showcase",
        description = "Runs the taxi-hailing showcase (REST, RPC, broker, webhooks, plugins, discovery, console) until Ctrl-C.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped", "2:bad input: an invalid setting", "3:internal error"})
final class ShowcaseCommand implements Callable<Integer> {

    @Option(names = "--role", paramLabel = "<role>", description = "all (default), registry, passengers, payments, trip-management, "
            + "dispatcher, drivers, notification, partner or passenger-app.")
    String role;

    @Option(names = "--broker", paramLabel = "<broker>", description = "inprocess (default, all-in-one only), rabbitmq, kafka or nats.")
    String broker;

    @Option(names = "--discovery", paramLabel = "<backend>", description = "embedded (default) or etcd.")
    String discovery;

    @Option(names = "--config", paramLabel = "<file>", description = "A properties file of taxi.* settings.")
    Path config;

    @Option(names = {"--set", "-s"}, paramLabel = "<key=value>", description = "Any taxi.* setting, e.g. --set taxi.trips.port=9080.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The settings this command would run with, validated; bad ones are bad input. */
    TaxiConfig settings() {
        Map<String, String> all = new LinkedHashMap<>(settings);
        if (role != null) {
            all.put("taxi.role", role);
        }
        if (broker != null) {
            all.put("taxi.broker", broker);
        }
        if (discovery != null) {
            all.put("taxi.discovery", discovery);
        }
        for (String key : all.keySet()) {
            if (!key.startsWith("taxi.")) {
                throw new InputException("--set " + key + ": not a showcase setting (expected: a taxi.* key, see examples/taxi/README.md)");
            }
        }
        if (config != null) {
            System.setProperty("taxi.config", config.toString());
        }
        all.forEach(System::setProperty);
        try {
            return TaxiConfig.load();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new InputException(e.getMessage(), e);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        settings();
        TaxiMain.main(new String[0]);
        return 0;
    }
}
