package io.jcnn.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownTableTest {
    @Test
    void padsColumnsAlignsNumbersRightAndEscapesPipes() {
        MarkdownTable table = new MarkdownTable(List.of("shape", "time"), new boolean[] {false, true});
        table.addRow(List.of("a|b", "3.64 ms"));
        table.addRow(List.of("1024x1024", "12 s"));
        assertEquals("""
                | shape     |    time |
                | --------- | ------: |
                | a\\|b      | 3.64 ms |
                | 1024x1024 |    12 s |
                """, table.render());
    }

    @Test
    void aRowOfTheWrongWidthIsRefused() {
        MarkdownTable table = new MarkdownTable(List.of("a", "b"), new boolean[] {false, false});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> table.addRow(List.of("x")));
        assertEquals("a row of 1 cells in a table of 2 columns: [x]", e.getMessage());
    }
}
