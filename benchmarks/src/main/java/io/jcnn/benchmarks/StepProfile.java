package io.jcnn.benchmarks;

import io.jcnn.backend.Backend;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Layer;
import io.jcnn.optim.Sgd;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a training step's time goes, layer by layer: each layer's forward and backward (a convolution's backward is
 * its backward-data and backward-filter together), the loss and the optimizer step, as the median over measured
 * steps after warm-up, with each part's share of the whole step. The step is StepBenchmark's (the same data, model,
 * SGD with momentum and weight decay), timed part by part with a device synchronisation after each part.
 *
 * <pre>
 * java -cp benchmarks.jar io.jcnn.benchmarks.StepProfile [WORKLOAD [BACKEND [WARMUP [STEPS]]]]
 * </pre>
 * WORKLOAD is {@code lenet-train-64} (default) or {@code alexnet32-train-128}; BACKEND as in BenchBackends; 50
 * warm-up and 50 measured steps by default (fewer warm-up steps measure the Vector API before the JIT compiles it:
 * LeNet's ReLU backward took 2 ms after 20, 0.02 ms after 50).
 */
public final class StepProfile {
    /** One part of the step and its measured times, in nanoseconds. */
    record Part(String name, long[] nanos) {
        double medianMillis() {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2] / 1e6;
        }
    }

    private StepProfile() {
    }

    public static void main(String[] args) {
        String workload = args.length > 0 ? args[0] : "lenet-train-64";
        String backend = args.length > 1 ? args[1] : "cpu";
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        List<Part> parts = profile(workload, backend, warmup, steps);
        System.out.print(table(workload, backend, steps, parts));
    }

    /** Profiles {@code steps} training steps of {@code workload} after {@code warmup} unmeasured ones. */
    static List<Part> profile(String workload, String backendName, int warmup, int steps) {
        String[] w = workload.split("-");
        if (w.length != 3 || !w[1].equals("train")) {
            throw new IllegalArgumentException("workload must be lenet-train-N or alexnet32-train-N, got '" + workload
                    + "'");
        }
        int batch = Integer.parseInt(w[2]);
        int side = w[0].equals("lenet") ? 28 : 32;
        Map<String, long[]> times = new LinkedHashMap<>();
        try (Backend device = BenchBackends.create(backendName);
             Sequential model = w[0].equals("lenet") ? Models.lenet() : Models.alexnet32();
             SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
             Sgd sgd = new Sgd(0.01f).withMomentum(0.9f).withWeightDecay(5e-4f)) {
            Shape input = Shape.nchw(batch, 1, side, side);
            float[] pixels = StepBenchmark.images(input);
            float[] classes = StepBenchmark.labels(batch);
            model.compile(device, input, 42);
            model.setInputGradientNeeded(false);
            loss.compile(device, model.outputShape());
            sgd.compile(device, model.params());
            List<Layer> layers = model.layers();
            try (Tensor images = device.tensor(input, pixels); Tensor labels = device.tensor(Shape.of(batch),
                    classes)) {
                for (int step = 0; step < warmup + steps; step++) {
                    int at = step - warmup;
                    Tensor x = images;
                    for (Layer layer : layers) {
                        Tensor in = x;
                        x = timed(device, times, layer.name() + " forward", at, steps, () -> layer.forward(in, true));
                    }
                    Tensor logits = x;
                    timed(device, times, "loss", at, steps, () -> {
                        loss.compute(logits, labels);
                        return null;
                    });
                    Tensor d = loss.gradient();
                    for (int i = layers.size() - 1; i >= 0; i--) {
                        Layer layer = layers.get(i);
                        Tensor dy = d;
                        d = timed(device, times, layer.name() + " backward", at, steps, () -> layer.backward(dy));
                    }
                    timed(device, times, "sgd step", at, steps, () -> {
                        sgd.step();
                        return null;
                    });
                }
            }
        }
        List<Part> parts = new ArrayList<>();
        times.forEach((name, nanos) -> parts.add(new Part(name, nanos)));
        return parts;
    }

    private static Tensor timed(Backend device, Map<String, long[]> times, String name, int at, int steps,
                                java.util.function.Supplier<Tensor> work) {
        long start = System.nanoTime();
        Tensor out = work.get();
        device.synchronize();
        long elapsed = System.nanoTime() - start;
        if (at >= 0) {
            times.computeIfAbsent(name, k -> new long[steps])[at] = elapsed;
        }
        return out;
    }

    /** A Markdown table: part, median milliseconds, share of the sum of the parts' medians. */
    static String table(String workload, String backend, int steps, List<Part> parts) {
        double total = parts.stream().mapToDouble(Part::medianMillis).sum();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s on %s, median of %d steps: %.2f ms per"
                + " step (%.0f images/s)%n%n| part | ms | share |%n|---|---:|---:|%n", workload, backend, steps, total,
                Integer.parseInt(workload.split("-")[2]) / (total / 1000)));
        for (Part p : parts) {
            out.append(String.format(Locale.ROOT, "| %s | %.3f | %.1f%% |%n", p.name(), p.medianMillis(),
                    100 * p.medianMillis() / total));
        }
        return out.toString();
    }
}
