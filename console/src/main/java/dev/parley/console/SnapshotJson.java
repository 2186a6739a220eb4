package dev.parley.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.CallEvent;
import dev.parley.Parley;
import dev.parley.console.OperationsConsole.InteractionKey;
import dev.parley.console.OperationsConsole.Observed;
import dev.parley.contract.ContractDescriptor;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the snapshot document that {@code /api/snapshot} returns and {@code /api/events}
 * pushes (field by field in {@code docs/console.md}). Strings are escaped so that {@code <},
 * {@code >}, {@code &} and {@code '} never appear raw in the JSON, which keeps it inert even if
 * someone pastes it into HTML.
 */
final class SnapshotJson {

    private static final Logger log = LoggerFactory.getLogger(SnapshotJson.class);
    private static final ObjectMapper JSON = new ObjectMapper(new JsonFactory().setCharacterEscapes(new HtmlSafeEscapes()));

    private final OperationsConsole console;
    private final AtomicLong sequence = new AtomicLong();
    final AtomicLong sourceFailures = new AtomicLong();

    SnapshotJson(OperationsConsole console) {
        this.console = console;
    }

    /** Takes a snapshot now; called by one thread at a time (the console's push thread or a request). */
    synchronized String build() {
        long now = console.nowNanos();
        int window = console.settings.windowSeconds();
        ObjectNode root = JSON.createObjectNode();
        root.put("title", console.settings.title());
        root.put("sequence", sequence.incrementAndGet());
        root.put("generatedAt", console.clock.instant().toString());
        root.put("windowSeconds", window);
        root.put("historySeconds", InteractionWindow.HISTORY_SECONDS);

        List<Map.Entry<InteractionKey, InteractionWindow.View>> views = new ArrayList<>();
        console.interactions.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<InteractionKey, InteractionWindow> e) -> e.getKey().service())
                        .thenComparing(e -> e.getKey().side())
                        .thenComparing(e -> e.getKey().contract())
                        .thenComparing(e -> e.getKey().operation())
                        .thenComparing(e -> e.getKey().target()))
                .forEach(e -> views.add(Map.entry(e.getKey(), e.getValue().view(now, window))));

        root.set("totals", totals(views));
        root.set("services", services());
        root.set("interactions", interactions(views));
        ArrayNode breakers = root.putArray("breakers");
        ArrayNode bulkheads = root.putArray("bulkheads");
        for (Observed o : console.runtimes) {
            Parley p = o.runtime();
            p.circuitBreakers().getAllCircuitBreakers().stream().sorted(Comparator.comparing(CircuitBreaker::getName)).forEach(cb -> {
                CircuitBreaker.Metrics m = cb.getMetrics();
                breakers.addObject()
                        .put("service", p.service())
                        .put("instance", p.source())
                        .put("target", cb.getName())
                        .put("state", cb.getState().name())
                        .put("failureRate", Math.max(-1, m.getFailureRate()))
                        .put("slowCallRate", Math.max(-1, m.getSlowCallRate()))
                        .put("bufferedCalls", m.getNumberOfBufferedCalls())
                        .put("failedCalls", m.getNumberOfFailedCalls())
                        .put("notPermittedCalls", m.getNumberOfNotPermittedCalls());
            });
            p.bulkheads().getAllBulkheads().stream().sorted(Comparator.comparing(Bulkhead::getName)).forEach(bh -> {
                Bulkhead.Metrics m = bh.getMetrics();
                bulkheads.addObject()
                        .put("service", p.service())
                        .put("instance", p.source())
                        .put("target", bh.getName())
                        .put("inUse", m.getMaxAllowedConcurrentCalls() - m.getAvailableConcurrentCalls())
                        .put("max", m.getMaxAllowedConcurrentCalls());
            });
        }
        root.set("sections", sections());
        ObjectNode health = root.putObject("console");
        health.put("droppedInteractions", console.droppedInteractions.get());
        health.put("listenerFailures", console.listenerFailures.get());
        health.put("sourceFailures", sourceFailures.get());
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("console snapshot could not be written as JSON", e);
        }
    }

    private ObjectNode totals(List<Map.Entry<InteractionKey, InteractionWindow.View>> views) {
        double clientRate = 0;
        double serverRate = 0;
        long clientCalls = 0;
        long clientErrors = 0;
        double worstP99 = 0;
        int[] rate = new int[InteractionWindow.HISTORY_SECONDS];
        int[] errors = new int[InteractionWindow.HISTORY_SECONDS];
        boolean anyClient = views.stream().anyMatch(e -> e.getKey().side() == CallEvent.Side.CLIENT);
        for (Map.Entry<InteractionKey, InteractionWindow.View> e : views) {
            InteractionWindow.View v = e.getValue();
            boolean client = e.getKey().side() == CallEvent.Side.CLIENT;
            if (client) {
                clientRate += v.ratePerSecond();
                clientCalls += v.calls();
                clientErrors += v.errors();
            } else {
                serverRate += v.ratePerSecond();
            }
            worstP99 = Math.max(worstP99, v.p99Millis());
            // The chart shows calls made; a console watching only servers shows calls handled.
            if (client == anyClient) {
                for (int i = 0; i < rate.length; i++) {
                    rate[i] += v.rateHistory()[i];
                    errors[i] += v.errorHistory()[i];
                }
            }
        }
        ObjectNode totals = JSON.createObjectNode();
        totals.put("callsPerSecond", round(clientRate));
        totals.put("handledPerSecond", round(serverRate));
        totals.put("errorRate", clientCalls == 0 ? 0 : round(clientErrors / (double) clientCalls));
        totals.put("worstP99Millis", round(worstP99));
        totals.put("openBreakers", console.runtimes.stream()
                .mapToLong(o -> o.runtime().circuitBreakers().getAllCircuitBreakers().stream()
                        .filter(cb -> cb.getState() != CircuitBreaker.State.CLOSED).count())
                .sum());
        totals.put("chartSide", anyClient ? "CLIENT" : "SERVER");
        ArrayNode rh = totals.putArray("rateHistory");
        ArrayNode eh = totals.putArray("errorHistory");
        for (int i = 0; i < rate.length; i++) {
            rh.add(rate[i]);
            eh.add(errors[i]);
        }
        return totals;
    }

    private ArrayNode services() {
        Map<String, ObjectNode> byName = new LinkedHashMap<>();
        Map<String, Set<String>> contracts = new LinkedHashMap<>();
        for (Observed o : console.runtimes) {
            Parley p = o.runtime();
            ObjectNode s = byName.computeIfAbsent(p.service(), n -> newService(n));
            ((ArrayNode) s.get("instances")).addObject()
                    .put("instance", p.source())
                    .put("transport", p.transport().name());
            for (ContractDescriptor d : o.served()) {
                contracts.computeIfAbsent(p.service(), n -> new TreeSet<>()).add(d.name() + " " + d.version() + "\u0000" + d.address());
            }
        }
        // Handled calls name contracts and instances too, also of runtimes nobody observed.
        console.interactions.keySet().stream().filter(k -> k.side() == CallEvent.Side.SERVER).forEach(k -> {
            byName.computeIfAbsent(k.service(), n -> newService(n));
            Set<String> known = contracts.computeIfAbsent(k.service(), n -> new TreeSet<>());
            if (known.stream().noneMatch(c -> c.endsWith("\u0000" + k.contract()))) {
                known.add(k.contract() + "\u0000" + k.contract());
            }
        });
        console.instancesSeen.forEach((service, sources) -> {
            ObjectNode s = byName.computeIfAbsent(service, n -> newService(n));
            ArrayNode instances = (ArrayNode) s.get("instances");
            for (String source : new TreeSet<>(sources)) {
                boolean listed = false;
                for (var i : instances) {
                    listed |= i.get("instance").asText().equals(source);
                }
                if (!listed) {
                    instances.addObject().put("instance", source).put("transport", "");
                }
            }
        });
        ArrayNode out = JSON.createArrayNode();
        byName.keySet().stream().sorted().forEach(name -> {
            ObjectNode s = byName.get(name);
            ArrayNode cs = s.putArray("contracts");
            for (String c : contracts.getOrDefault(name, Set.of())) {
                String[] parts = c.split("\u0000", 2);
                cs.addObject().put("contract", parts[0]).put("address", parts[1]);
            }
            out.add(s);
        });
        return out;
    }

    private static ObjectNode newService(String name) {
        ObjectNode s = JSON.createObjectNode();
        s.put("service", name);
        s.putArray("instances");
        return s;
    }

    private ArrayNode interactions(List<Map.Entry<InteractionKey, InteractionWindow.View>> views) {
        ArrayNode out = JSON.createArrayNode();
        for (Map.Entry<InteractionKey, InteractionWindow.View> e : views) {
            InteractionKey k = e.getKey();
            InteractionWindow.View v = e.getValue();
            ObjectNode row = out.addObject()
                    .put("side", k.side().name())
                    .put("service", k.service())
                    .put("contract", k.contract())
                    .put("operation", k.operation())
                    .put("style", k.style())
                    .put("target", k.target())
                    .put("ratePerSecond", round(v.ratePerSecond()))
                    .put("calls", v.calls())
                    .put("errors", v.errors())
                    .put("errorRate", round(v.errorRate()))
                    .put("p50Millis", round(v.p50Millis()))
                    .put("p99Millis", round(v.p99Millis()))
                    .put("fallbacks", v.fallbacks())
                    .put("rejected", v.rejected())
                    .put("totalCalls", v.totalCalls())
                    .put("totalErrors", v.totalErrors())
                    .put("lastError", v.lastError());
            resilience(k, row);
            ArrayNode rh = row.putArray("rateHistory");
            ArrayNode eh = row.putArray("errorHistory");
            ArrayNode ph = row.putArray("p99History");
            for (int i = 0; i < v.rateHistory().length; i++) {
                rh.add(v.rateHistory()[i]);
                eh.add(v.errorHistory()[i]);
                ph.add(round(v.p99History()[i]));
            }
        }
        return out;
    }

    /** The breaker state (worst over the caller's instances) and bulkhead use of a client interaction. */
    private void resilience(InteractionKey k, ObjectNode row) {
        String state = "";
        int inUse = 0;
        int max = 0;
        if (k.side() == CallEvent.Side.CLIENT) {
            for (Observed o : console.runtimes) {
                Parley p = o.runtime();
                if (!p.service().equals(k.service())) {
                    continue;
                }
                var breaker = p.circuitBreakers().find(k.target());
                if (breaker.isPresent()) {
                    String s = breaker.get().getState().name();
                    if (severity(s) > severity(state)) {
                        state = s;
                    }
                }
                var bulkhead = p.bulkheads().find(k.target());
                if (bulkhead.isPresent()) {
                    Bulkhead.Metrics m = bulkhead.get().getMetrics();
                    inUse += m.getMaxAllowedConcurrentCalls() - m.getAvailableConcurrentCalls();
                    max += m.getMaxAllowedConcurrentCalls();
                }
            }
        }
        row.put("breaker", state).put("bulkheadInUse", inUse).put("bulkheadMax", max);
    }

    private static int severity(String state) {
        return switch (state) {
            case "" -> 0;
            case "CLOSED" -> 1;
            case "HALF_OPEN" -> 2;
            default -> 3;   // OPEN, FORCED_OPEN, DISABLED, METRICS_ONLY: show them, they are unusual
        };
    }

    private ArrayNode sections() {
        ArrayNode out = JSON.createArrayNode();
        for (ConsoleSource source : console.sources) {
            ConsoleSection section;
            try {
                section = source.read();
            } catch (RuntimeException e) {
                sourceFailures.incrementAndGet();
                log.warn("console source {} failed", source, e);
                section = ConsoleSection.builder("Source failed: " + ConsoleSection.cut(String.valueOf(source), 100))
                        .note(e.toString())
                        .build();
            }
            ObjectNode s = out.addObject().put("title", section.title());
            ArrayNode columns = s.putArray("columns");
            section.columns().forEach(columns::add);
            ArrayNode rows = s.putArray("rows");
            for (List<String> r : section.rows()) {
                ArrayNode row = rows.addArray();
                r.forEach(row::add);
            }
            ArrayNode gauges = s.putArray("gauges");
            for (ConsoleGauge g : section.gauges()) {
                ObjectNode gauge = gauges.addObject().put("label", g.label()).put("value", g.value()).put("unit", g.unit());
                g.max().ifPresent(m -> gauge.put("max", m));
            }
            s.put("note", section.note().orElse(""));
        }
        return out;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** Escapes the characters that could end a script or start markup, plus the JS line separators. */
    private static final class HtmlSafeEscapes extends CharacterEscapes {
        private final int[] escapes;

        HtmlSafeEscapes() {
            escapes = standardAsciiEscapesForJSON();
            escapes['<'] = ESCAPE_STANDARD;
            escapes['>'] = ESCAPE_STANDARD;
            escapes['&'] = ESCAPE_STANDARD;
            escapes['\''] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch == 0x2028 || ch == 0x2029) {
                return new com.fasterxml.jackson.core.io.SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }
}
