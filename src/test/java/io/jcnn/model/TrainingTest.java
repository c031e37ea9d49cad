package io.jcnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.TestData;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.loss.Loss;
import io.jcnn.loss.MseLoss;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.nn.Linear;
import io.jcnn.nn.Param;
import io.jcnn.nn.Sigmoid;
import io.jcnn.nn.Tanh;
import io.jcnn.optim.Optimizer;
import io.jcnn.optim.Sgd;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whole-model behaviour: learning, determinism, and no allocation in steady-state training. */
class TrainingTest {

    private static float step(Sequential model, Loss loss, Optimizer optimizer, Tensor x, Tensor target) {
        Tensor y = model.forward(x, true);
        float value = loss.compute(y, target);
        model.backward(loss.gradient());
        optimizer.step();
        return value;
    }

    @Test
    void twoLayerNetworkLearnsXorFromAFixedSeed() {
        try (CpuBackend cpu = new CpuBackend();
             Sequential model = new Sequential("xor", new Linear("hidden", 4), new Tanh("tanh"),
                     new Linear("out", 1), new Sigmoid("sigmoid"));
             Loss loss = new MseLoss();
             Optimizer sgd = new Sgd(0.5f).withMomentum(0.9f);
             Tensor x = cpu.tensor(Shape.of(4, 2), 0, 0, 0, 1, 1, 0, 1, 1);
             Tensor target = cpu.tensor(Shape.of(4, 1), 0, 1, 1, 0)) {
            model.compile(cpu, x.shape(), 2024);
            loss.compile(cpu, model.outputShape());
            sgd.compile(cpu, model.params());
            float first = step(model, loss, sgd, x, target);
            float last = first;
            for (int i = 0; i < 1000; i++) {
                last = step(model, loss, sgd, x, target);
            }
            float[] out = model.forward(x, false).toArray();
            assertTrue(out[0] < 0.5f && out[1] > 0.5f && out[2] > 0.5f && out[3] < 0.5f,
                    "XOR outputs " + java.util.Arrays.toString(out) + " (loss " + first + " -> " + last + ")");
            assertTrue(last < 0.01f, "loss fell only from " + first + " to " + last);
        }
    }

    /** Trains LeNet for a few steps on random data and returns every parameter's bits. */
    private static List<float[]> trainLenet(Backend backend, long seed, int steps) {
        Shape input = Shape.nchw(8, 1, 28, 28);
        float[] labels = new float[8];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        try (Sequential model = Models.lenet();
             Loss loss = new SoftmaxCrossEntropyLoss();
             Optimizer sgd = new Sgd(0.01f).withMomentum(0.9f).withWeightDecay(5e-4f);
             Tensor x = backend.tensor(input, TestData.uniform(seed, input.size()));
             Tensor target = backend.tensor(Shape.of(8), labels)) {
            model.compile(backend, input, seed);
            loss.compile(backend, model.outputShape());
            sgd.compile(backend, model.params());
            for (int i = 0; i < steps; i++) {
                step(model, loss, sgd, x, target);
            }
            List<float[]> params = new ArrayList<>();
            for (Param p : model.params()) {
                params.add(p.value().toArray());
            }
            return params;
        }
    }

    @Test
    void fixedSeedReproducesATrainingRunBitForBit() {
        List<float[]> first;
        List<float[]> second;
        try (CpuBackend cpu = new CpuBackend(2)) {
            first = trainLenet(cpu, 7, 3);
        }
        try (CpuBackend cpu = new CpuBackend(2)) {
            second = trainLenet(cpu, 7, 3);
        }
        assertEquals(first.size(), second.size());
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), second.get(i), "parameter " + i + " differs between identical runs");
        }
    }

    @Test
    void skippingTheFirstLayersInputGradientLeavesEveryParameterGradientUnchanged() {
        try (CpuBackend cpu = new CpuBackend(2)) {
            Shape input = Shape.nchw(3, 1, 28, 28);
            try (Sequential with = Models.lenet();
                 Sequential without = Models.lenet();
                 Tensor x = cpu.tensor(input, TestData.uniform(5, input.size()));
                 Tensor dy = cpu.tensor(Shape.of(3, 10), TestData.uniform(6, 30))) {
                with.compile(cpu, input, 9);
                without.compile(cpu, input, 9);
                without.setInputGradientNeeded(false);
                with.forward(x, true);
                Tensor dx = with.backward(dy);
                without.forward(x, true);
                assertEquals(null, without.backward(dy), "backward must say that no input gradient was made");
                assertTrue(java.util.Arrays.stream(toDoubles(dx.toArray())).map(Math::abs).sum() > 0, "the default still computes the input gradient");
                for (int i = 0; i < with.params().size(); i++) {
                    assertArrayEquals(with.params().get(i).gradient().toArray(),
                            without.params().get(i).gradient().toArray(), with.params().get(i).name());
                }
            }
        }
    }

    @Test
    void steadyStateTrainingStepAllocatesNothingAndCloseFreesEverything() {
        try (CpuBackend cpu = new CpuBackend(2)) {
            Shape input = Shape.nchw(4, 1, 28, 28);
            try (Sequential model = Models.lenet();
                 Loss loss = new SoftmaxCrossEntropyLoss();
                 Optimizer sgd = new Sgd(0.01f).withMomentum(0.9f);
                 Tensor x = cpu.tensor(input, TestData.uniform(3, input.size()));
                 Tensor target = cpu.tensor(Shape.of(4), 1, 2, 3, 4)) {
                model.compile(cpu, input, 1);
                loss.compile(cpu, model.outputShape());
                sgd.compile(cpu, model.params());
                step(model, loss, sgd, x, target);
                long afterFirst = cpu.memoryStats().allocations();
                step(model, loss, sgd, x, target);
                step(model, loss, sgd, x, target);
                assertEquals(afterFirst, cpu.memoryStats().allocations(), "a steady-state step allocated");
                long liveBefore = cpu.memoryStats().liveBytes();
                model.compile(cpu, input, 1); // same shape again: nothing re-planned
                assertEquals(afterFirst, cpu.memoryStats().allocations(), "re-compiling the same shape allocated");
                assertEquals(liveBefore, cpu.memoryStats().liveBytes());
            }
            long workspace = cpu.memoryStats().liveBytes();
            assertTrue(workspace >= 0, "live bytes went negative: " + workspace);
        }
    }

    @Test
    void lenetLearnsASmallFixedBatch() {
        try (CpuBackend cpu = new CpuBackend()) {
            Shape input = Shape.nchw(10, 1, 28, 28);
            float[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
            try (Sequential model = Models.lenet();
                 Loss loss = new SoftmaxCrossEntropyLoss();
                 Optimizer sgd = new Sgd(0.05f).withMomentum(0.9f);
                 Tensor x = cpu.tensor(input, TestData.uniform(11, input.size()));
                 Tensor target = cpu.tensor(Shape.of(10), labels)) {
                model.compile(cpu, input, 5);
                loss.compile(cpu, model.outputShape());
                sgd.compile(cpu, model.params());
                float first = step(model, loss, sgd, x, target);
                float last = first;
                for (int i = 0; i < 30; i++) {
                    last = step(model, loss, sgd, x, target);
                }
                assertTrue(first > 2.0f && last < 0.1f, "loss went from " + first + " to " + last);
            }
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
