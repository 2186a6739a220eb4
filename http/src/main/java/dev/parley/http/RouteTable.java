package dev.parley.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The routes a server serves, matched against request lines. Literal segments win over
 * variables, so {@code /v1/trips/active} is found before {@code /v1/trips/{id}}.
 * Thread-safe; routes are added when contracts are served and removed when they stop.
 */
public final class RouteTable {

    /** A matched route and its decoded path variables. */
    public record Match<T>(HttpRoute route, T target, Map<String, String> pathVariables) {}

    /** The outcome of a lookup: a match, a known path with other verbs (405), or nothing (404). */
    public sealed interface Lookup<T> {
        record Found<T>(Match<T> match) implements Lookup<T> {}

        record WrongMethod<T>(Set<String> allowed) implements Lookup<T> {}

        record NotFound<T>() implements Lookup<T> {}
    }

    private record Entry<T>(HttpRoute route, T target, int specificity) {}

    private final List<Entry<Object>> entries = new CopyOnWriteArrayList<>();
    /**
     * Routes without variables by their exact path, then verb: most requests are found with two
     * hash lookups. Such a route is the most specific one for its path, so finding it here gives
     * what the ordered scan would. Replaced whole when routes change.
     */
    private volatile Map<String, Map<String, Entry<Object>>> exact = Map.of();

    /**
     * Adds a route with what serves it.
     *
     * @throws IllegalStateException when another route already has the same verb and path shape
     */
    public synchronized void add(HttpRoute route, Object target) {
        for (Entry<Object> e : entries) {
            if (e.route().verb().equals(route.verb()) && sameShape(e.route().path(), route.path())) {
                throw new IllegalStateException(route + " (" + route.operation().qualifiedName() + ") clashes with "
                        + e.route() + " (" + e.route().operation().qualifiedName() + ")");
            }
        }
        entries.add(new Entry<>(route, target, specificity(route.path())));
        // Literal beats variable segment by segment, from the left: /a/b/{y} before /a/{x}/c before /a/{x}/{y}.
        entries.sort(RouteTable::moreSpecificFirst);
        rebuildExact();
    }

    public synchronized void removeTarget(Object target) {
        entries.removeIf(e -> e.target() == target);
        rebuildExact();
    }

    private void rebuildExact() {
        Map<String, Map<String, Entry<Object>>> byPath = new HashMap<>();
        for (Entry<Object> e : entries) {
            if (e.route().path().variableNames().isEmpty()) {
                byPath.computeIfAbsent(e.route().path().toString(), p -> new HashMap<>()).put(e.route().verb(), e);
            }
        }
        exact = byPath;
    }

    public List<HttpRoute> routes() {
        List<HttpRoute> routes = new ArrayList<>();
        entries.forEach(e -> routes.add(e.route()));
        return routes;
    }

    /** Finds the route for a verb and a raw (still encoded) path without query. */
    @SuppressWarnings("unchecked")
    public <T> Lookup<T> lookup(String verb, String rawPath) {
        Map<String, Entry<Object>> byVerb = exact.get(rawPath);
        Entry<Object> literal = byVerb == null ? null : byVerb.get(verb);
        if (literal != null) {
            return new Lookup.Found<>(new Match<>(literal.route(), (T) literal.target(), Map.of()));
        }
        List<String> segments = PathTemplate.split(rawPath);
        Set<String> allowed = new TreeSet<>();
        for (Entry<Object> e : entries) {
            Optional<Map<String, String>> vars = e.route().path().match(segments);
            if (vars.isEmpty()) {
                continue;
            }
            if (e.route().verb().equals(verb)) {
                return new Lookup.Found<>(new Match<>(e.route(), (T) e.target(), vars.get()));
            }
            allowed.add(e.route().verb());
        }
        return allowed.isEmpty() ? new Lookup.NotFound<>() : new Lookup.WrongMethod<>(allowed);
    }

    private static int moreSpecificFirst(Entry<Object> a, Entry<Object> b) {
        PathTemplate x = a.route().path();
        PathTemplate y = b.route().path();
        for (int i = 0; i < Math.min(x.segmentCount(), y.segmentCount()); i++) {
            if (x.isVariable(i) != y.isVariable(i)) {
                return x.isVariable(i) ? 1 : -1;
            }
        }
        return Integer.compare(b.specificity(), a.specificity());
    }

    private static int specificity(PathTemplate t) {
        int literals = 0;
        for (int i = 0; i < t.segmentCount(); i++) {
            if (!t.isVariable(i)) {
                literals++;
            }
        }
        return literals;
    }

    private static boolean sameShape(PathTemplate a, PathTemplate b) {
        if (a.segmentCount() != b.segmentCount()) {
            return false;
        }
        for (int i = 0; i < a.segmentCount(); i++) {
            if (a.isVariable(i) != b.isVariable(i) || (!a.isVariable(i) && !a.literal(i).equals(b.literal(i)))) {
                return false;
            }
        }
        return true;
    }
}
