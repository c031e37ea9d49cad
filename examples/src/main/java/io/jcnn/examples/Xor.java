package io.jcnn.examples;

import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.loss.MseLoss;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Linear;
import io.jcnn.nn.Sigmoid;
import io.jcnn.nn.Tanh;
import io.jcnn.optim.Sgd;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * The smallest network that needs a hidden layer: learns XOR with a 2-4-1 multilayer perceptron, SGD with
 * momentum and the Euclidean loss, from a fixed seed. Run: {@code java -cp 'lib/*' io.jcnn.examples.Xor}.
 */
public final class Xor {
    private Xor() {
    }

    /** Trains for {@code steps} full-batch steps and returns the four predictions for 00, 01, 10, 11. */
    public static float[] train(Backend backend, long seed, int steps) {
        try (Sequential model = new Sequential("xor",
                     new Linear("hidden", 4), new Tanh("tanh"), new Linear("out", 1), new Sigmoid("sigmoid"));
             MseLoss loss = new MseLoss();
             Sgd sgd = new Sgd(0.5f).withMomentum(0.9f);
             Tensor inputs = backend.tensor(Shape.of(4, 2), 0, 0, 0, 1, 1, 0, 1, 1);
             Tensor targets = backend.tensor(Shape.of(4, 1), 0, 1, 1, 0)) {
            model.compile(backend, inputs.shape(), seed);
            loss.compile(backend, model.outputShape());
            sgd.compile(backend, model.params());
            for (int step = 1; step <= steps; step++) {
                float value = loss.compute(model.forward(inputs, true), targets);
                model.backward(loss.gradient());
                sgd.step();
                if (step % 200 == 0) {
                    System.out.printf("step %4d  loss %.6f%n", step, value);
                }
            }
            return model.forward(inputs, false).toArray();
        }
    }

    public static void main(String[] args) {
        try (CpuBackend cpu = new CpuBackend()) {
            float[] out = train(cpu, 2024, 1000);
            String[] cases = {"0 xor 0", "0 xor 1", "1 xor 0", "1 xor 1"};
            for (int i = 0; i < 4; i++) {
                System.out.printf("%s -> %.4f%n", cases[i], out[i]);
            }
        }
    }
}
