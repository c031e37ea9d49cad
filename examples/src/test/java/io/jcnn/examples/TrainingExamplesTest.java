package io.jcnn.examples;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.model.Evaluation;
import io.jcnn.model.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingExamplesTest {
    @TempDir
    Path dir;

    @Test
    void lenetTrainsSavesAndTheSavedCheckpointEvaluatesTheSame() throws IOException {
        Path checkpoint = dir.resolve("lenet.jcnn");
        try (CpuBackend cpu = new CpuBackend()) {
            Evaluation trained = LenetOnMnistSample.run(cpu, 1, checkpoint);
            assertTrue(trained.accuracy() > 0.9, "one epoch on 8,000 digits: " + trained.accuracy());
            Evaluation loaded = EvaluateCheckpoint.evaluate(cpu, checkpoint);
            assertEquals(trained.samples(), loaded.samples());
            assertEquals(trained.accuracy(), loaded.accuracy());
        }
    }

    @Test
    void alexNet32TrainsOnPaddedDigits() {
        try (CpuBackend cpu = new CpuBackend()) {
            TrainingResult result = AlexNet32OnPaddedMnist.train(cpu, 2, 1280);
            assertEquals(TrainingResult.Outcome.COMPLETED, result.outcome());
            assertTrue(result.last().trainLoss() < 2.2 && result.last().testAccuracy() > 0.4,
                    "40 steps on 1,280 padded digits: " + result.last());
        }
    }
}
