package dev.parley.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.parley.ClientOptions;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.discovery.RegistryService;
import dev.parley.discovery.RegistryService.Catalog;
import dev.parley.discovery.RegistryService.Instance;
import dev.parley.http.HttpTransport;
import dev.parley.resilience.RetryPolicy;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parley services}: lists the services registered in an embedded registry, each instance
 * with the contract versions it serves, its transports' addresses and whether it is ready:
 *
 * <pre>
 * $ parley services --registry http://127.0.0.1:8500
 * passengers
 *   passengers-1a2b  ready      passengers/v1   http http://127.0.0.1:8081
 * </pre>
 */
@Command(name = "services",
        description = "Lists the services, instances and contract versions registered in an embedded registry.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed", "2:bad input: an invalid registry URL", "3:internal error", "4:the registry could not be reached"})
final class ServicesCommand implements Callable<Integer> {

    /** Exit code when the registry cannot be reached or fails. */
    static final int REGISTRY_FAILED = 4;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--registry", paramLabel = "<url>", defaultValue = "http://127.0.0.1:8500",
            description = "The embedded registry's URL. Default: ${DEFAULT-VALUE}.")
    String registry;

    @Option(names = "--json", description = "Print the catalog as JSON instead of a table.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "<duration>", defaultValue = "PT5S", description = "How long to wait for the registry. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HttpTransport transport;
        try {
            transport = HttpTransport.builder().target(registry).build();
        } catch (IllegalArgumentException e) {
            throw new InputException("--registry '" + registry + "': " + e.getMessage(), e);
        }
        Catalog catalog;
        try (transport; Parley parley = Parley.builder().service("parley-cli").transport(transport).build()) {
            RegistryService client = parley.client(RegistryService.class,
                    ClientOptions.custom().deadline(timeout).retry(RetryPolicy.none()).build());
            catalog = client.catalog(new RegistryService.CatalogQuery());
        } catch (ParleyException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("parley services: the registry at " + registry + " did not answer: " + e.getMessage());
            err.flush();
            return REGISTRY_FAILED;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JSON.writeValueAsString(catalog));
        } else if (catalog.instances().isEmpty()) {
            out.println("no services registered at " + registry);
        } else {
            Map<String, java.util.List<Instance>> byService = catalog.instances().stream()
                    .collect(Collectors.groupingBy(Instance::service, TreeMap::new, Collectors.toList()));
            byService.forEach((service, instances) -> {
                out.println(service);
                for (Instance i : instances) {
                    out.printf("  %-24s %-10s %-30s %s%n", i.id(), i.ready() ? "ready" : "not-ready", String.join(",", i.contracts()),
                            new TreeMap<>(i.addresses()).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                                    .collect(Collectors.joining(", ")));
                }
            });
        }
        out.flush();
        return 0;
    }
}
