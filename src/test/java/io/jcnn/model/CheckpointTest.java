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
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** The bytes with their CRC32C trailer recomputed, as a crafted (not merely damaged) file would have. */
    static byte[] withChecksum(byte[] data) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(data, 0, data.length - 4);
        java.nio.ByteBuffer.wrap(data, data.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt((int) crc.getValue());
        return data;
    }

    /**
     * Crafted files whose checksum is valid get past the checksum, so the reader itself must refuse them: every one
     * of 2,000 seeded mutations (bytes flipped, runs cut out, counts set to extremes) either loads or fails with an
     * IOException or IllegalArgumentException naming the file, and a failure changes nothing.
     */
    @Test
    void craftedFilesWithAValidChecksumFailCleanlyAndChangeNothing() throws IOException {
        Path good = dir.resolve("good.jcnn");
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = small("m"); Sgd sgd = new Sgd(0.1f)) {
            train(cpu, model, sgd, 2);
            Checkpoint.save(good, model, sgd, new TrainingState(1, 2, 0, 2, 0.1f), Map.of("k", "v"));
        }
        byte[] original = Files.readAllBytes(good);
        java.util.Random random = new java.util.Random(19);
        Path crafted = dir.resolve("crafted.jcnn");
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = small("m"); Sgd sgd = new Sgd(0.1f)) {
            train(cpu, model, sgd, 1);
            List<float[]> before = values(model, sgd);
            int steps = sgd.steps();
            for (int trial = 0; trial < 2000; trial++) {
                byte[] data = original.clone();
                int at = 12 + random.nextInt(data.length - 16);
                switch (trial % 4) {
                    case 0 -> data[at] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> {
                        int[] extremes = {-1, 0, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 20};
                        java.nio.ByteBuffer.wrap(data, at, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                                .putInt(extremes[random.nextInt(extremes.length)]);
                    }
                    case 2 -> {
                        int cut = 1 + random.nextInt(Math.min(64, data.length - 4 - at));
                        byte[] shorter = new byte[data.length - cut];
                        System.arraycopy(data, 0, shorter, 0, at);
                        System.arraycopy(data, at + cut, shorter, at, data.length - at - cut);
                        data = shorter;
                    }
                    default -> {
                        byte[] longer = java.util.Arrays.copyOf(data, data.length + 8);
                        System.arraycopy(data, data.length - 4, longer, longer.length - 4, 4);
                        data = longer;
                    }
                }
                Files.write(crafted, withChecksum(data));
                try {
                    Checkpoint.load(crafted, model, sgd);
                    before = values(model, sgd);  // a mutation that still describes this model may load
                    steps = sgd.steps();
                } catch (IOException | IllegalArgumentException e) {
                    assertTrue(e.getMessage() != null && e.getMessage().contains(crafted.toString()),
                            "trial " + trial + ": " + e);
                    List<float[]> after = values(model, sgd);
                    for (int i = 0; i < before.size(); i++) {
                        assertArrayEquals(before.get(i), after.get(i), "trial " + trial + " changed tensor " + i);
                    }
                    assertEquals(steps, sgd.steps(), "trial " + trial + " changed the optimizer's steps");
                }
            }
        }
    }

    /** Optimizer steps of -1 are refused before the optimizer state is overwritten, as the format promises. */
    @Test
    void aNegativeOptimizerStepCountIsRefusedBeforeAnythingIsApplied() throws IOException {
        Path file = dir.resolve("steps.jcnn");
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = small("m"); Sgd sgd = new Sgd(0.1f)) {
            train(cpu, model, sgd, 2);
            Checkpoint.save(file, model, sgd, null, Map.of());
        }
        byte[] data = Files.readAllBytes(file);
        // The optimizer section: flag 1, the string "Sgd" (length 3), then int32 steps.
        byte[] marker = {1, 3, 0, 0, 0, 'S', 'g', 'd'};
        int at = -1;
        for (int i = data.length - marker.length; i >= 0 && at < 0; i--) {
            if (java.util.Arrays.equals(data, i, i + marker.length, marker, 0, marker.length)) {
                at = i + marker.length;
            }
        }
        assertTrue(at > 0, "the optimizer section");
        java.nio.ByteBuffer.wrap(data, at, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(-1);
        Files.write(file, withChecksum(data));
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = small("m"); Sgd sgd = new Sgd(0.1f)) {
            train(cpu, model, sgd, 1);
            List<float[]> before = values(model, sgd);
            IOException e = assertThrows(IOException.class, () -> Checkpoint.load(file, model, sgd));
            assertTrue(e.getMessage().contains("optimizer at step -1"), e.getMessage());
            List<float[]> after = values(model, sgd);
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i), "tensor " + i + " was changed");
            }
            assertEquals(1, sgd.steps());
        }
    }

    @Test
    void metadataWithoutAValueIsRefusedInOneLine() throws IOException {
        try (CpuBackend cpu = new CpuBackend(1); Sequential model = small("m")) {
            model.compile(cpu, INPUT, 1);
            Map<String, String> metadata = new java.util.HashMap<>();
            metadata.put("data", null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.save(dir.resolve("x.jcnn"), model, null, null, metadata));
            assertEquals("checkpoint metadata needs a key and a value in every entry, got data = null",
                    e.getMessage());
            assertFalse(Files.exists(dir.resolve("x.jcnn")));
        }
    }

    /** Temporary files of saves killed midway are this checkpoint's to remove; nothing else is touched. */
    @Test
    void staleTemporariesOfASaveAreRemoved() throws IOException {
        Path file = dir.resolve("checkpoint.jcnn");
        Files.writeString(dir.resolve(".checkpoint.jcnn123.tmp"), "left by kill -9");
        Files.writeString(dir.resolve(".checkpoint.jcnn456.tmp"), "and another");
        Files.writeString(dir.resolve(".other.jcnn1.tmp"), "another checkpoint's");
        Files.writeString(dir.resolve("checkpoint.jcnn.tmp.keep"), "not a temporary");
        assertEquals(2, Checkpoint.removeStaleTemporaries(file));
        assertTrue(Files.exists(dir.resolve(".other.jcnn1.tmp")));
        assertTrue(Files.exists(dir.resolve("checkpoint.jcnn.tmp.keep")));
        assertEquals(0, Checkpoint.removeStaleTemporaries(file));
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

    /**
     * Checkpoints written before the format described architectures (version 1) still load, with their optimizer
     * state; the committed files were saved by that version from the model below.
     */
    @Test
    void versionOneCheckpointsStillLoad() throws Exception {
        for (String name : List.of("version1-weights-only.jcnn", "version1-sgd-with-state.jcnn")) {
            Path file = Path.of(CheckpointTest.class.getResource(name).toURI());
            Checkpoint.Header header = Checkpoint.readHeader(file);
            assertEquals("fuzz", header.modelName());
            assertFalse(header.hasArchitecture());
            assertEquals(Shape.of(1, 4, 4), header.sampleShape());
            try (CpuBackend cpu = new CpuBackend(1);
                 Sequential model = new Sequential("fuzz", new Conv2d("conv", 2, 3, ConvSpec.of(1, 1)),
                         new BatchNorm2d("bn"), new ReLU("relu"), new Linear("fc", 3));
                 Sgd sgd = new Sgd(0.1f).withMomentum(0.9f)) {
                model.compile(cpu, Shape.of(2, 1, 4, 4), 4);
                sgd.compile(cpu, model.params());
                float[] before = model.params().get(0).value().toArray();
                Checkpoint.Header loaded = Checkpoint.load(file, model, header.optimizerKind() != null ? sgd : null);
                assertEquals(header.state(), loaded.state());
                assertFalse(java.util.Arrays.equals(before, model.params().get(0).value().toArray()), name);
            }
        }
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
                String message = e.getMessage();
                assertTrue(message.contains("layer 1 is Conv2d 'conv' (") && message.contains("out=3")
                        && message.contains("the model's is Conv2d 'conv' (") && message.contains("out=4"), message);
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
