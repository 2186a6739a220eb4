package dev.parley.http;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A path such as {@code /v1/trips/{id}}: literal segments and whole-segment variables. Matches
 * request paths (decoding each segment once) and expands with values (encoding them).
 */
public final class PathTemplate {

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@-]+");

    private final String text;
    private final String[] segments;   // literal text, or null for a variable
    private final String[] variables;  // variable name, or null for a literal
    private final List<String> variableNames;

    private PathTemplate(String text, String[] segments, String[] variables, List<String> variableNames) {
        this.text = text;
        this.segments = segments;
        this.variables = variables;
        this.variableNames = variableNames;
    }

    /**
     * Parses a template; segments are literals or a whole {@code {name}}.
     *
     * @throws IllegalArgumentException naming the template and what is wrong
     */
    public static PathTemplate parse(String template) {
        if (!template.startsWith("/") || template.contains("//") || (template.length() > 1 && template.endsWith("/"))) {
            throw new IllegalArgumentException("path '" + template + "' (expected: /segment/{variable}, no empty segments)");
        }
        String[] parts = template.length() == 1 ? new String[0] : template.substring(1).split("/");
        String[] segments = new String[parts.length];
        String[] variables = new String[parts.length];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            var m = VARIABLE.matcher(parts[i]);
            if (m.matches()) {
                if (names.contains(m.group(1))) {
                    throw new IllegalArgumentException("path '" + template + "': variable {" + m.group(1) + "} appears twice");
                }
                variables[i] = m.group(1);
                names.add(m.group(1));
            } else if (LITERAL.matcher(parts[i]).matches()) {
                segments[i] = parts[i];
            } else {
                throw new IllegalArgumentException("path '" + template + "': segment '" + parts[i]
                        + "' (expected: a literal of URL-safe characters, or a whole {variable})");
            }
        }
        return new PathTemplate(template, segments, variables, List.copyOf(names));
    }

    public List<String> variableNames() {
        return variableNames;
    }

    public int segmentCount() {
        return segments.length;
    }

    /** Whether segment {@code i} is a variable. */
    boolean isVariable(int i) {
        return variables[i] != null;
    }

    String literal(int i) {
        return segments[i];
    }

    /**
     * Matches already split, still encoded request path segments.
     *
     * @return the decoded variable values, or empty when the path does not match
     */
    public Optional<Map<String, String>> match(List<String> encodedSegments) {
        if (encodedSegments.size() != segments.length) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < segments.length; i++) {
            String segment = encodedSegments.get(i);
            if (variables[i] != null) {
                String decoded = decode(segment);
                if (decoded == null || decoded.isEmpty()) {
                    return Optional.empty();
                }
                values.put(variables[i], decoded);
            } else if (!segments[i].equals(segment)) {
                return Optional.empty();
            }
        }
        return Optional.of(values);
    }

    /** The path with each variable replaced by its encoded value. */
    public String expand(Function<String, String> values) {
        if (segments.length == 0) {
            return "/";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            sb.append('/');
            if (variables[i] != null) {
                String value = values.apply(variables[i]);
                if (value == null) {
                    throw new IllegalArgumentException("path '" + text + "': no value for {" + variables[i] + "}");
                }
                sb.append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
            } else {
                sb.append(segments[i]);
            }
        }
        return sb.toString();
    }

    /** Splits a raw request path (without query) into its encoded segments. */
    public static List<String> split(String rawPath) {
        List<String> out = new ArrayList<>();
        int start = rawPath.startsWith("/") ? 1 : 0;
        if (start >= rawPath.length()) {
            return out;
        }
        int i = start;
        while (i <= rawPath.length()) {
            int slash = rawPath.indexOf('/', i);
            int end = slash < 0 ? rawPath.length() : slash;
            out.add(rawPath.substring(i, end));
            if (slash < 0) {
                break;
            }
            i = slash + 1;
        }
        return out;
    }

    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null; // malformed %-escape: no match, so the request gets a 404, not a 500
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
