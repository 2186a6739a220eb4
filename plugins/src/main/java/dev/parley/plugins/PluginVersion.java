package dev.parley.plugins;

import java.util.Arrays;

/**
 * The version of a plugin implementation, such as {@code 1.4.0} or {@code 2.0.1-rc1}: numbers
 * separated by dots, optionally followed by {@code -} and a qualifier. Versions order by their
 * numbers (missing numbers count as 0), and a version with a qualifier comes before the same
 * version without one, as in semantic versioning. The repository's newest version is the one
 * the consumer runs.
 *
 * @param text the version as written in the manifest and the file name
 */
public record PluginVersion(String text) implements Comparable<PluginVersion> {

    public PluginVersion {
        if (!text.matches("[0-9]{1,9}(\\.[0-9]{1,9}){0,4}(-[A-Za-z0-9.]{1,32})?")) {
            throw new IllegalArgumentException("plugin version: '" + abbreviate(text)
                    + "' (expected: numbers separated by dots, e.g. 1.4.0, optionally -qualifier)");
        }
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming it when it is not a version. */
    public static PluginVersion parse(String text) {
        return new PluginVersion(text);
    }

    private int[] numbers() {
        int dash = text.indexOf('-');
        String core = dash < 0 ? text : text.substring(0, dash);
        return Arrays.stream(core.split("\\.")).mapToInt(Integer::parseInt).toArray();
    }

    private String qualifier() {
        int dash = text.indexOf('-');
        return dash < 0 ? "" : text.substring(dash + 1);
    }

    @Override
    public int compareTo(PluginVersion other) {
        int[] a = numbers();
        int[] b = other.numbers();
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? a[i] : 0;
            int y = i < b.length ? b[i] : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        String q = qualifier();
        String r = other.qualifier();
        if (q.isEmpty() || r.isEmpty()) {
            return Boolean.compare(q.isEmpty(), r.isEmpty());
        }
        return q.compareTo(r);
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    @Override
    public String toString() {
        return text;
    }
}
