package io.jcnn.model;

import io.jcnn.backend.Backend;
import io.jcnn.backend.TestData;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.nn.BatchNorm2d;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Linear;
import io.jcnn.nn.Param;
import io.jcnn.nn.ReLU;
import io.jcnn.optim.Adam;
import io.jcnn.optim.Optimizer;
import io.jcnn.optim.Sgd;
import io.jcnn.backend.ConvSpec;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    private static final Shape INPUT = Shape.of(4, 2, 6, 6);

    @TempDir
    Path dir;

    /** A model with parameters and buffers (batch-norm running statistics). */
    private static Sequential small(String name) {
        return new Sequential(name, new Conv2d("conv", 3, 3, ConvSpec.of(1, 1)), new BatchNorm2d("bn"),
                new ReLU("relu"), new Linear("fc", 5));
    }

    /** Compiles and trains a few steps so parameters, buffers and optimizer state are all non-trivial. */
    private static void train(Backend backend, Sequential model, Optimizer optimizer, int steps) {
        model.compile(backend, INPUT, 11);
        optimizer.compile(backend, model.params());
        try (SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
             Tensor x = backend.allocate(INPUT)) {
            loss.compile(backend, model.outputShape());
            try (Tensor t = backend.allocate(loss.targetShape(model.outputShape()))) {
                x.copyFrom(TestData.uniform(5, INPUT.size()));
                t.copyFrom(new float[]{0, 1, 4, 2});
                for (int i = 0; i < steps; i++) {
                    loss.compute(model.forward(x, true), t);
                    model.backward(loss.gradient());
                    optimizer.step();
                }
            }
        }
    }

    private static List<float[]> values(Sequential model, Optimizer optimizer) {
        List<float[]> all = new ArrayList<>();
        for (Param p : model.params()) {
            all.add(p.value().toArray());
        }
        for (Tensor b : model.buffers()) {
            all.add(b.toArray());
        }
        if (optimizer != null) {
            for (Tensor s : optimizer.state()) {
                all.add(s.toArray());
            }
        }
        return all;
    }

    @Test
    void roundTripAcrossBackendsKeepsEveryBitAndTheTrainingState() throws IOException {
        Path file = dir.resolve("ckpt.jcnn");
        TrainingState state = new TrainingState(42, 3, 7, 57, 0.0125f);
        List<float[]> saved;
        try (CpuBackend one = new CpuBackend(1); Sequential model = small("m"); Adam adam = new Adam(0.01f)) {
            train(one, model, adam, 3);
            Checkpoint.save(file, model, adam, state, Map.of("normalization.mean", "0.13"));
            saved = values(model, adam);
        }
        Checkpoint.Header header = Checkpoint.readHeader(file);
        assertEquals("m", header.modelName());
        assertEquals(Shape.of(2, 6, 6), header.sampleShape());
        assertEquals(state, header.state());
        assertEquals("Adam", header.optimizerKind());
        assertEquals("0.13", header.metadata().get("normalization.mean"));
        try (CpuBackend three = new CpuBackend(3); Sequential model = small("m"); Adam adam = new Adam(0.5f)) {
            model.compile(three, INPUT, 999);
            adam.compile(three, model.params());
            assertEquals(state, Checkpoint.load(file, model, adam).state());
            List<float[]> loaded = values(model, adam);
            assertEquals(saved.size(), loaded.size());
            for (int i = 0; i < saved.size(); i++) {
                assertArrayEquals(saved.get(i), loaded.get(i), "tensor " + i);
            }
            assertEquals(3, adam.steps());
            assertEquals(0.01f, adam.learningRate());
        }
    }

    @Test
    void parametersOnlyCheckpointsLoadForInference() throws IOException {
        Path file = dir.resolve("weights.jcnn");
        try (CpuBackend cpu = new CpuBackend(); Sequential model = small("m"); Sgd sgd = new Sgd(0.1f)) {
            train(cpu, model, sgd, 1);
            Checkpoint.save(file, model, null, null, Map.of());
            Checkpoint.Header header = Checkpoint.readHeader(file);
            assertNull(header.state());
            assertNull(header.optimizerKind());
            assertEquals(model.parameterCount(), header.parameters());
            try (Sequential copy = small("m"); Sgd fresh = new Sgd(0.1f)) {
                copy.compile(cpu, INPUT, 5);
                Checkpoint.load(file, copy, null);
                assertArrayEquals(model.params().get(0).value().toArray(), copy.params().get(0).value().toArray());
                fresh.compile(cpu, copy.params());
                assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, copy, fresh))
                        .getMessage().contains("no optimizer state"));
            }
        }
    }

    @Test
    void damagedFilesAreRecognisedAndNamed() throws IOException {
        Path file = dir.resolve("ckpt.jcnn");
        try (CpuBackend cpu = new CpuBackend(); Sequential model = small("m"); Sgd sgd = new Sgd(0.1f)) {
            train(cpu, model, sgd, 1);
            Checkpoint.save(file, model, sgd, TrainingState.start(1), Map.of());
        }
        byte[] good = Files.readAllBytes(file);
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        Path corrupt = Files.write(dir.resolve("corrupt.jcnn"), flipped);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.readHeader(corrupt));
        assertEquals("checkpoint " + corrupt + " is corrupted: checksum mismatch (truncated or damaged file)",
                e.getMessage());
        Path truncated = Files.write(dir.resolve("truncated.jcnn"), java.util.Arrays.copyOf(good, good.length - 9));
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.readHeader(truncated)).getMessage()
                .contains("checksum mismatch"));
        Path other = Files.write(dir.resolve("notes.txt"), "hello, not a checkpoint".getBytes());
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.readHeader(other)).getMessage()
                .contains("is not a jcnn checkpoint"));
        byte[] future = good.clone();
        future[8] = 9;
        Path newer = Files.write(dir.resolve("newer.jcnn"), future);
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.readHeader(newer)).getMessage()
                .contains("format version 9"));
    }

    @Test
    void aCheckpointOfAnotherModelOrOptimizerIsRefusedWithoutTouchingTheModel() throws IOException {
        Path file = dir.resolve("ckpt.jcnn");
        try (CpuBackend cpu = new CpuBackend()) {
            try (Sequential model = small("m"); Sgd sgd = new Sgd(0.1f)) {
                train(cpu, model, sgd, 1);
                Checkpoint.save(file, model, sgd, TrainingState.start(1), Map.of());
            }
            try (Sequential renamed = small("other")) {
                renamed.compile(cpu, INPUT, 1);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Checkpoint.load(file, renamed, null));
                assertEquals("checkpoint " + file + " holds model 'm' but the model is 'other'", e.getMessage());
            }
            try (Sequential wider = new Sequential("m", new Conv2d("conv", 4, 3, ConvSpec.of(1, 1)),
                    new BatchNorm2d("bn"), new ReLU("relu"), new Linear("fc", 5))) {
                wider.compile(cpu, INPUT, 1);
                float[] before = wider.params().get(0).value().toArray();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Checkpoint.load(file, wider, null));
                assertTrue(e.getMessage().contains("conv.weight 3×2×3×3") && e.getMessage().contains("4×2×3×3"),
                        e.getMessage());
                assertArrayEquals(before, wider.params().get(0).value().toArray(), "nothing was loaded");
            }
            try (Sequential model = small("m"); Adam adam = new Adam(0.1f)) {
                model.compile(cpu, INPUT, 1);
                adam.compile(cpu, model.params());
                assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, model, adam))
                        .getMessage().contains("trained with Sgd but the optimizer is Adam"));
            }
        }
    }

    @Test
    void aFailedSaveLeavesThePreviousCheckpointIntactAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("ckpt.jcnn");
        try (CpuBackend cpu = new CpuBackend(); Sequential model = small("m"); Sgd sgd = new Sgd(0.1f)) {
            train(cpu, model, sgd, 1);
            Checkpoint.save(file, model, sgd, TrainingState.start(1), Map.of());
            byte[] before = Files.readAllBytes(file);
            // An optimizer whose state cannot be read fails the save after the parameters were written.
            sgd.close();
            Sgd broken = new Sgd(0.1f).withMomentum(0.9f);
            broken.compile(cpu, model.params());
            broken.state().get(0).close();
            assertThrows(RuntimeException.class, () -> Checkpoint.save(file, model, broken,
                    TrainingState.start(1), Map.of()));
            assertArrayEquals(before, Files.readAllBytes(file));
            try (var files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList());
            }
            Path nowhere = dir.resolve("missing-dir").resolve("ckpt.jcnn");
            IOException e = assertThrows(IOException.class, () -> Checkpoint.save(nowhere, model, null, null,
                    Map.of()));
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        }
    }
}
