package io.jcnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingListenerTest {

    /** Records each call as text, tagged with its own name. */
    private record Recorder(String tag, List<String> calls) implements TrainingListener {
        @Override
        public void onStart(int epochs, int batchesPerEpoch) {
            calls.add(tag + " start " + epochs + " " + batchesPerEpoch);
        }

        @Override
        public void onBatch(int epoch, int batchIndex, int batches, double runningLoss, double runningAccuracy) {
            calls.add(tag + " batch " + epoch + " " + batchIndex + "/" + batches + " " + runningLoss + " " + runningAccuracy);
        }

        @Override
        public void onEpoch(EpochMetrics metrics) {
            calls.add(tag + " epoch " + metrics.epoch());
        }

        @Override
        public void onFinish() {
            calls.add(tag + " finish");
        }

        @Override
        public void onStop(String reason) {
            calls.add(tag + " stop " + reason);
        }
    }

    @Test
    void allForwardsEveryCallToEachListenerInOrder() {
        List<String> calls = new ArrayList<>();
        TrainingListener both = TrainingListener.all(new Recorder("a", calls), TrainingListener.NONE, new Recorder("b", calls));
        both.onStart(2, 10);
        both.onBatch(1, 0, 10, 2.5, 0.25);
        both.onEpoch(new EpochMetrics(1, 1, 0.5, 0.9, 0.6, 100, 2, 0.01));
        both.onFinish();
        both.onStop("interrupted");
        assertEquals(List.of("a start 2 10", "b start 2 10",
                "a batch 1 0/10 2.5 0.25", "b batch 1 0/10 2.5 0.25",
                "a epoch 1", "b epoch 1", "a finish", "b finish",
                "a stop interrupted", "b stop interrupted"), calls);
    }

    @Test
    void epochMetricsKnowWhetherThereWasATestSet() {
        assertTrue(new EpochMetrics(1, 1, 0.5, 0.9, 0.6, 100, 2, 0.01).hasTestMetrics());
        assertFalse(new EpochMetrics(1, 1, 0.5, Double.NaN, Double.NaN, 100, 2, 0.01).hasTestMetrics());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EpochMetrics(0, 1, 0.5, 0.9, 0.6, 100, 2, 0.01));
        assertEquals("epoch numbers count from 1, got 0", e.getMessage());
    }
}
