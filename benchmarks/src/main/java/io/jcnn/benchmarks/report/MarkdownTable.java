package io.jcnn.benchmarks.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A GitHub-flavoured Markdown table whose columns are padded to a common width, so that the Markdown source reads
 * as a table too. Pipes inside cells are escaped.
 */
final class MarkdownTable {
    private final List<String> header;
    private final boolean[] rightAligned;
    private final List<List<String>> rows = new ArrayList<>();

    /** @param rightAligned for each column, whether it holds numbers (right-aligned) rather than text */
    MarkdownTable(List<String> header, boolean[] rightAligned) {
        if (header.size() != rightAligned.length) {
            throw new IllegalArgumentException(header.size() + " columns but " + rightAligned.length + " alignments");
        }
        this.header = escaped(header);
        this.rightAligned = rightAligned.clone();
    }

    void addRow(List<String> cells) {
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException("a row of " + cells.size() + " cells in a table of " + header.size()
                    + " columns: " + cells);
        }
        rows.add(escaped(cells));
    }

    String render() {
        int[] widths = new int[header.size()];
        for (List<String> row : allRows()) {
            for (int c = 0; c < widths.length; c++) {
                widths[c] = Math.max(Math.max(widths[c], row.get(c).length()), 3);
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, header, widths);
        List<String> rule = new ArrayList<>();
        for (int c = 0; c < widths.length; c++) {
            rule.add("-".repeat(widths[c] - 1) + (rightAligned[c] ? ":" : "-"));
        }
        line(out, rule, widths);
        rows.forEach(row -> line(out, row, widths));
        return out.toString();
    }

    private void line(StringBuilder out, List<String> cells, int[] widths) {
        out.append('|');
        for (int c = 0; c < cells.size(); c++) {
            String padding = " ".repeat(widths[c] - cells.get(c).length());
            String cell = rightAligned[c] ? padding + cells.get(c) : cells.get(c) + padding;
            out.append(' ').append(cell).append(" |");
        }
        out.append('\n');
    }

    private List<List<String>> allRows() {
        List<List<String>> all = new ArrayList<>(rows);
        all.add(header);
        return all;
    }

    private static List<String> escaped(List<String> cells) {
        return cells.stream().map(cell -> cell.replace("|", "\\|").replace("\n", " ")).toList();
    }
}
