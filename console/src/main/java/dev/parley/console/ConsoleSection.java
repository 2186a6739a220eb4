package dev.parley.console;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A titled block of the console page from a {@link ConsoleSource}: a table (columns and rows of
 * text), gauges, and an optional note. Limits keep a misbehaving source from flooding the page:
 * at most {@value #MAX_COLUMNS} columns, {@value #MAX_ROWS} rows (the rest are counted in the
 * note), {@value #MAX_GAUGES} gauges, and cells of at most {@value #MAX_CELL} characters
 * (longer ones are cut with an ellipsis).
 *
 * @param title   the section's heading, e.g. {@code Dead letters}
 * @param columns the table's column names; empty for a section of gauges only
 * @param rows    the table's rows, each with one cell per column
 * @param gauges  numbers shown above the table
 * @param note    a line of text under the table, e.g. {@code 12 more rows not shown}
 */
public record ConsoleSection(String title, List<String> columns, List<List<String>> rows, List<ConsoleGauge> gauges,
                             Optional<String> note) {

    public static final int MAX_COLUMNS = 12;
    public static final int MAX_ROWS = 200;
    public static final int MAX_GAUGES = 24;
    public static final int MAX_CELL = 500;

    public ConsoleSection {
        requireText("section title", title);
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
        gauges = List.copyOf(gauges);
        if (columns.size() > MAX_COLUMNS) {
            throw new IllegalArgumentException("columns: " + columns.size() + " (expected: at most " + MAX_COLUMNS + ") in section '" + title + "'");
        }
        if (rows.size() > MAX_ROWS) {
            throw new IllegalArgumentException("rows: " + rows.size() + " (expected: at most " + MAX_ROWS + ") in section '" + title + "'");
        }
        if (gauges.size() > MAX_GAUGES) {
            throw new IllegalArgumentException("gauges: " + gauges.size() + " (expected: at most " + MAX_GAUGES + ") in section '" + title + "'");
        }
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).size() != columns.size()) {
                throw new IllegalArgumentException("row " + i + ": " + rows.get(i).size() + " cells (expected: " + columns.size()
                        + ", one per column) in section '" + title + "'");
            }
        }
    }

    /** Starts a section titled {@code title}. */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    static void requireText(String what, String value) {
        if (value.isBlank() || value.length() > 200) {
            throw new IllegalArgumentException(what + ": '" + cut(value, 40) + "' (expected: 1-200 characters, not blank)");
        }
    }

    static String cut(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max - 1) + "…";
    }

    /** Collects a section; rows past {@value #MAX_ROWS} are counted, not kept. */
    public static final class Builder {
        private final String title;
        private List<String> columns = List.of();
        private final List<List<String>> rows = new ArrayList<>();
        private final List<ConsoleGauge> gauges = new ArrayList<>();
        private String note = "";
        private int rowsLeftOut;

        private Builder(String title) {
            requireText("section title", title);
            this.title = title;
        }

        public Builder columns(String... names) {
            for (String name : names) {
                requireText("column name", name);
            }
            columns = List.of(names);
            return this;
        }

        /** Adds a row; cells are cut to {@value #MAX_CELL} characters. */
        public Builder row(String... cells) {
            if (cells.length != columns.size()) {
                throw new IllegalArgumentException("row " + rows.size() + ": " + cells.length + " cells (expected: " + columns.size()
                        + ", one per column " + columns + ") in section '" + title + "'");
            }
            if (rows.size() == MAX_ROWS) {
                rowsLeftOut++;
                return this;
            }
            rows.add(Arrays.stream(cells).map(c -> cut(c, MAX_CELL)).toList());
            return this;
        }

        public Builder gauge(ConsoleGauge gauge) {
            if (gauges.size() == MAX_GAUGES) {
                throw new IllegalArgumentException("gauges: more than " + MAX_GAUGES + " in section '" + title + "'");
            }
            gauges.add(gauge);
            return this;
        }

        public Builder note(String text) {
            note = cut(text, MAX_CELL);
            return this;
        }

        public ConsoleSection build() {
            String text = note;
            if (rowsLeftOut > 0) {
                String more = rowsLeftOut + " more rows not shown";
                text = text.isEmpty() ? more : text + " (" + more + ")";
            }
            return new ConsoleSection(title, columns, rows, gauges, text.isEmpty() ? Optional.empty() : Optional.of(text));
        }
    }
}
