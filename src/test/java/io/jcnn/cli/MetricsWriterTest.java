package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcnn.model.EpochMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsWriterTest {
    private static final EpochMetrics FIRST = new EpochMetrics(1, 0.5, 0.875, 0.25, 0.9375, 1712.5, 36.0, 0.01);
    private static final EpochMetrics SECOND = new EpochMetrics(2, 0.125, 0.96875, Double.NaN, Double.NaN, 1800.0,
            30.5, 0.001);

    @Test
    void csvHasAHeaderAndOneLinePerEpoch() {
        assertEquals("""
                epoch,train_loss,train_accuracy,test_loss,test_accuracy,images_per_second,wall_seconds,learning_rate
                1,0.5,0.875,0.25,0.9375,1712.5,36.0,0.01
                2,0.125,0.96875,,,1800.0,30.5,0.001
                """, MetricsWriter.csv(List.of(FIRST, SECOND)));
    }

    @Test
    void jsonHasOneObjectPerEpochAndNullForMissingValues() {
        assertEquals("""
                {
                  "epochs": [
                    {"epoch": 1, "trainLoss": 0.5, "trainAccuracy": 0.875, "testLoss": 0.25, "testAccuracy": 0.9375, \
                "imagesPerSecond": 1712.5, "wallSeconds": 36.0, "learningRate": 0.01},
                    {"epoch": 2, "trainLoss": 0.125, "trainAccuracy": 0.96875, "testLoss": null, "testAccuracy": null, \
                "imagesPerSecond": 1800.0, "wallSeconds": 30.5, "learningRate": 0.001}
                  ]
                }
                """, MetricsWriter.json(List.of(FIRST, SECOND)));
        assertEquals("{\n  \"epochs\": []\n}\n", MetricsWriter.json(List.of()));
    }

    @Test
    void csvReadsBackExactly() {
        EpochMetrics awkward = new EpochMetrics(3, 0.1f, 1.0 / 3, 1e-9, 0.0, 123456.789, 0.001, 1e-4);
        List<EpochMetrics> history = List.of(FIRST, SECOND, awkward);
        assertEquals(history, MetricsWriter.parseCsv(MetricsWriter.csv(history), "metrics.csv"));
    }

    @Test
    void malformedCsvIsRejectedNamingTheLine() {
        IllegalArgumentException header = assertThrows(IllegalArgumentException.class,
                () -> MetricsWriter.parseCsv("epoch,loss\n1,2\n", "run/metrics.csv"));
        assertEquals("run/metrics.csv is not a jcnn metrics file: expected the header '" + MetricsWriter.CSV_HEADER
                + "', got 'epoch,loss'", header.getMessage());
        IllegalArgumentException fields = assertThrows(IllegalArgumentException.class,
                () -> MetricsWriter.parseCsv(MetricsWriter.CSV_HEADER + "\n1,0.5,0.9\n", "m.csv"));
        assertEquals("m.csv line 2: expected 8 fields, got 3", fields.getMessage());
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class,
                () -> MetricsWriter.parseCsv(MetricsWriter.CSV_HEADER + "\n1,x,0,0,0,0,0,0\n", "m.csv"));
        assertEquals("m.csv line 2: not a number (For input string: \"x\")", number.getMessage());
        IllegalArgumentException epoch = assertThrows(IllegalArgumentException.class,
                () -> MetricsWriter.parseCsv(MetricsWriter.CSV_HEADER + "\n0,1,0,0,0,0,0,0\n", "m.csv"));
        assertEquals("m.csv line 2: epoch numbers count from 1, got 0", epoch.getMessage());
    }

    @Test
    void listenerRewritesBothFilesAfterEveryEpochKeepingEarlierHistory(@TempDir Path dir) throws IOException {
        Path runDirectory = dir.resolve("runs/lenet");
        MetricsWriter writer = new MetricsWriter(runDirectory, List.of(FIRST));
        writer.onEpoch(SECOND);
        assertEquals(List.of(FIRST, SECOND), writer.history());
        assertEquals(MetricsWriter.csv(List.of(FIRST, SECOND)), Files.readString(runDirectory.resolve("metrics.csv")));
        assertEquals(MetricsWriter.json(List.of(FIRST, SECOND)), Files.readString(runDirectory.resolve("metrics.json")));

        EpochMetrics third = new EpochMetrics(3, 0.1, 0.97, 0.2, 0.95, 1750, 31, 0.001);
        writer.onEpoch(third);
        assertEquals(List.of(FIRST, SECOND, third),
                MetricsWriter.parseCsv(Files.readString(runDirectory.resolve("metrics.csv")), "metrics.csv"));
        try (Stream<Path> files = Files.list(runDirectory)) {
            assertEquals(List.of("metrics.csv", "metrics.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left behind");
        }
    }
}
