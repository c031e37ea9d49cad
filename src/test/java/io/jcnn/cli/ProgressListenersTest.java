package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.model.EpochMetrics;
import io.jcnn.model.TrainingListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressListenersTest {
    private static final EpochMetrics FIRST = new EpochMetrics(1, 0.3456, 0.9012, 0.1234, 0.9678, 1712.4, 35.04, 0.01);
    private static final EpochMetrics SECOND = new EpochMetrics(2, 0.1, 0.97, Double.NaN, Double.NaN, 1800, 30, 1e-4);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Two epochs of {@code batches} batches; the running loss falls, the running accuracy rises. */
    private static void train(TrainingListener listener, int batches) {
        listener.onStart(2, batches);
        for (int epoch = 1; epoch <= 2; epoch++) {
            for (int b = 0; b < batches; b++) {
                listener.onBatch(epoch, b, batches, 1.0 / (b + 1), b / (double) batches);
            }
            listener.onEpoch(epoch == 1 ? FIRST : SECOND);
        }
        listener.onFinish();
    }

    @Test
    void logLinesAboutEveryTenthOfAnEpoch() {
        train(new LogLineListener(out), 100);
        String[] lines = output().split("\n");
        assertEquals(1 + 2 * (9 + 1) + 1, lines.length, output());
        assertEquals("training: 2 epochs of 100 batches", lines[0]);
        assertEquals("epoch 1/2  batch 10/100  loss 0.1000  accuracy 9.00%", lines[1]);
        assertEquals("epoch 1/2  batch 90/100  loss 0.0111  accuracy 89.00%", lines[9]);
        assertEquals("epoch 1/2  train loss 0.3456 accuracy 90.12%  test loss 0.1234 accuracy 96.78%"
                + "  1712 images/s  35.0 s  lr 0.01", lines[10]);
        assertEquals("epoch 2/2  batch 10/100  loss 0.1000  accuracy 9.00%", lines[11]);
        assertEquals("epoch 2/2  train loss 0.1000 accuracy 97.00%  1800 images/s  30.0 s  lr 0.0001", lines[20]);
        assertEquals("training finished", lines[21]);
    }

    @Test
    void shortEpochsLogEveryBatchButTheLast() {
        LogLineListener listener = new LogLineListener(out);
        listener.onStart(1, 3);
        for (int b = 0; b < 3; b++) {
            listener.onBatch(1, b, 3, 0.5, 0.5);
        }
        listener.onStop("interrupted");
        assertEquals("""
                training: 1 epochs of 3 batches
                epoch 1/1  batch 1/3  loss 0.5000  accuracy 50.00%
                epoch 1/1  batch 2/3  loss 0.5000  accuracy 50.00%
                training stopped: interrupted
                """, output());
    }

    @Test
    void learningRatesAreShortAndPlain() {
        assertEquals("0.01", LogLineListener.threeDigits(0.01f)); // a float's extra digits are rounded away
        assertEquals("0.000125", LogLineListener.threeDigits(1.25e-4));
        assertEquals("0.123", LogLineListener.threeDigits(0.12345));
        assertEquals("1", LogLineListener.threeDigits(1.0));
    }

    @Test
    void progressBarShowsTheEpochAndEndsWithTheEpochLines() {
        train(new ProgressBarListener(out, 100), 20);
        String text = output();
        assertTrue(text.startsWith("training: 2 epochs of 20 batches\n"), text);
        assertTrue(text.contains("epoch 1/2"), text);
        assertTrue(text.contains(LogLineListener.epochLine(FIRST, 2) + "\n"), text);
        assertTrue(text.contains(LogLineListener.epochLine(SECOND, 2) + "\n"), text);
        assertTrue(text.endsWith("training finished\n"), text);
        // The final state of the first epoch's bar: all batches done, the last running metrics.
        assertTrue(text.contains("20/20"), text);
        assertTrue(text.contains("loss 0.0500  accuracy 95.00%"), text);
    }

    @Test
    void terminalsGetABarAndPipesGetLines() {
        assertInstanceOf(ProgressBarListener.class, TrainingProgress.create(out, true));
        assertInstanceOf(LogLineListener.class, TrainingProgress.create(out, false));
    }
}
