package io.jcnn.benchmarks;

import io.jcnn.backend.Backend;
import io.jcnn.backend.ConvPlan;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import io.jcnn.data.Normalization;
import io.jcnn.data.SampleRanges;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Layer;
import io.jcnn.nn.ReluPoolBackward;
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
 * Where a training step's time goes, layer by layer: each layer's forward and backward, the loss and the optimizer
 * step, as the median over measured steps after warm-up, with each part's share of the whole step, and each part
 * with each convolution's passes also timed alone on the same backend after the steps (forward, and a backward split
 * into backward-data and backward-filter, on random tensors of the layer's shapes, as many warm-up and measured calls
 * as steps). The step is StepBenchmark's (the same data, model, SGD with momentum and weight decay), timed part by part
 * with a device synchronisation after each part. The last rows time the data
 * loader preparing one batch of the same size from bytes (shuffled, normalised; then also rotated and scaled, as
 * {@code jcnn train} does by default; then that on the CPU backend's threads, as {@code jcnn train} prepares each batch
 * between steps there).
 *
 * <pre>
 * java -cp benchmarks.jar io.jcnn.benchmarks.StepProfile [WORKLOAD [BACKEND [WARMUP [STEPS [digits]]]]]
 * </pre>
 * WORKLOAD is {@code lenet-train-64} (default) or {@code alexnet32-train-128}; BACKEND as in BenchBackends; 50
 * warm-up and 50 measured steps by default (fewer warm-up steps measure the Vector API before the JIT compiles it:
 * LeNet's ReLU backward took 2 ms after 20, 0.02 ms after 50); {@code digits} trains on the bundled MNIST digits
 * instead of a fixed batch of random pixels.
 */
public final class StepProfile {
    /** One part of the step, its measured times and its ops' times, in nanoseconds per measured step. */
    record Part(String name, long[] nanos, Map<String, long[]> ops) {
        double medianMillis() {
            return median(nanos);
        }
    }

    static double mean(long[] nanos) {
        return Arrays.stream(nanos).average().orElse(0) / 1e6;
    }

    static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }

    private StepProfile() {
    }

    public static void main(String[] args) {
        String workload = args.length > 0 ? args[0] : "lenet-train-64";
        String backend = args.length > 1 ? args[1] : "cpu";
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        boolean digits = args.length > 4 && args[4].equals("digits");
        List<Part> parts = profile(workload, backend, warmup, steps, digits);
        System.out.print(table(workload, backend, steps, parts));
    }

    /** Profiles {@code steps} training steps of {@code workload} on synthetic data after {@code warmup} unmeasured ones. */
    static List<Part> profile(String workload, String backendName, int warmup, int steps) {
        return profile(workload, backendName, warmup, steps, false);
    }

    /**
     * As above; {@code digits}: each step trains on the next batch of the bundled MNIST digits (normalised, padded to
     * 32×32 for AlexNet-32, uploaded before the step's timed parts) instead of one fixed batch of random pixels, as
     * {@code jcnn train} does. Real digits have large constant backgrounds, and their gradients shrink as training
     * goes on, which random data never shows.
     */
    static List<Part> profile(String workload, String backendName, int warmup, int steps, boolean digits) {
        String[] w = workload.split("-");
        if (w.length != 3 || !w[1].equals("train")) {
            throw new IllegalArgumentException("workload must be lenet-train-N or alexnet32-train-N, got '" + workload
                    + "'");
        }
        int batch = Integer.parseInt(w[2]);
        int side = w[0].equals("lenet") ? 28 : 32;
        Map<String, long[]> times = new LinkedHashMap<>();
        Map<String, Map<String, long[]>> opTimes = new LinkedHashMap<>();
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
            Dataset train = digits ? (side == 32 ? Mnist.sample().train().padded(2) : Mnist.sample().train()) : null;
            try (Tensor images = device.tensor(input, pixels); Tensor labels = device.tensor(Shape.of(batch),
                    classes);
                 DataLoader loader = digits ? new DataLoader(train, batch, true, Normalization.of(train),
                         Augmentation.NONE, 1, 0) : null) {
                DataLoader.Epoch epoch = null;
                int epochs = 0;
                for (int step = 0; step < warmup + steps; step++) {
                    int at = step - warmup;
                    if (loader != null) {
                        if (epoch == null || !epoch.hasNext()) {
                            if (epoch != null) {
                                epoch.close();
                            }
                            epoch = loader.epoch(++epochs, 0, true);
                        }
                        DataLoader.Batch next = epoch.next();
                        images.copyFrom(next.images());
                        labels.copyFrom(next.labels());
                    }
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
                        if (i > 0 && ReluPoolBackward.applies(layers.get(i - 1), layer)) {
                            // As the model's backward runs it: one op for the pool and the ReLU under it.
                            Layer relu = layers.get(--i);
                            d = timed(device, times, layer.name() + " + " + relu.name() + " backward", at, steps,
                                    () -> ReluPoolBackward.backward(relu, layer, dy));
                        } else {
                            d = timed(device, times, layer.name() + " backward", at, steps, () -> layer.backward(dy));
                        }
                    }
                    timed(device, times, "sgd step", at, steps, () -> {
                        sgd.step();
                        return null;
                    });
                }
                if (epoch != null) {
                    epoch.close();
                }
            }
            Shape in = input;
            for (int i = 0; i < layers.size(); i++) {
                if (layers.get(i) instanceof Conv2d conv) {
                    convPassesAlone(device, conv, in, i > 0, warmup, steps, opTimes);
                }
                in = layers.get(i).outputShape();
            }
            List<Part> parts = new ArrayList<>();
            times.forEach((name, nanos) -> parts.add(new Part(name, nanos, opTimes.getOrDefault(name, Map.of()))));
            parts.add(new Part("data loader, one batch", loaderTimes(batch, side, Augmentation.NONE,
                    SampleRanges.SERIAL, warmup, steps), Map.of()));
            parts.add(new Part("data loader, one batch, rotated ≤10° and scaled ≤10%", loaderTimes(batch, side,
                    TRAIN_AUGMENTATION, SampleRanges.SERIAL, warmup, steps), Map.of()));
            if (device instanceof CpuBackend cpu) {
                parts.add(new Part("data loader, the same on the backend's threads (as jcnn train)", loaderTimes(batch,
                        side, TRAIN_AUGMENTATION, (count, body) -> cpu.runOnThreads(count, 8, body::run), warmup,
                        steps), Map.of()));
            }
            return parts;
        }
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

    /**
     * Times {@code conv}'s forward, backward-data (when the step needs it) and backward-filter alone, on random
     * tensors of its shapes, into the sub-rows of its forward and backward parts.
     */
    private static void convPassesAlone(Backend device, Conv2d conv, Shape input, boolean dataGradient, int warmup,
                                        int steps, Map<String, Map<String, long[]>> opTimes) {
        Shape filter = conv.weight().value().shape();
        Map<String, long[]> forward = opTimes.computeIfAbsent(conv.name() + " forward", k -> new LinkedHashMap<>());
        Map<String, long[]> backward = opTimes.computeIfAbsent(conv.name() + " backward", k -> new LinkedHashMap<>());
        try (ConvPlan plan = device.planConv2d(input, filter, conv.spec());
             Tensor x = device.tensor(input, StepBenchmark.images(input));
             Tensor w = device.tensor(filter, StepBenchmark.images(filter));
             Tensor y = device.allocate(plan.geometry().output());
             Tensor dy = device.tensor(plan.geometry().output(), StepBenchmark.images(plan.geometry().output()));
             Tensor dx = device.allocate(input);
             Tensor dw = device.allocate(filter)) {
            forward.put("forward alone", repeat(device, warmup, steps, () -> device.conv2dForward(plan, x, w, y)));
            if (dataGradient) {
                backward.put("backward-data alone", repeat(device, warmup, steps,
                        () -> device.conv2dBackwardData(plan, dy, w, dx)));
            }
            backward.put("backward-filter alone", repeat(device, warmup, steps,
                    () -> device.conv2dBackwardFilter(plan, x, dy, dw)));
        }
    }

    private static long[] repeat(Backend device, int warmup, int steps, Runnable op) {
        long[] nanos = new long[steps];
        for (int i = 0; i < warmup + steps; i++) {
            long start = System.nanoTime();
            op.run();
            device.synchronize();
            if (i >= warmup) {
                nanos[i - warmup] = System.nanoTime() - start;
            }
        }
        return nanos;
    }

    /** {@code jcnn train}'s default augmentation for 1-channel images with {@code --shift 0}, as the peer check runs. */
    static final Augmentation TRAIN_AUGMENTATION = new Augmentation(0, 0, false, 10, 0.1);

    /**
     * Nanoseconds the data loader takes to prepare each of {@code steps} batches after {@code warmup} in
     * {@code next()} (no prefetch), its samples split by {@code ranges}, from random bytes.
     */
    static long[] loaderTimes(int batch, int side, Augmentation augmentation, SampleRanges ranges, int warmup,
                              int steps) {
        int samples = batch * 8;
        byte[] pixels = new byte[samples * side * side];
        int[] labels = new int[samples];
        java.util.Random random = new java.util.Random(7);
        random.nextBytes(pixels);
        for (int i = 0; i < samples; i++) {
            labels[i] = random.nextInt(10);
        }
        Dataset data = new Dataset("profile", 1, side, side, pixels, labels, 10);
        long[] nanos = new long[steps];
        try (DataLoader loader = new DataLoader(data, batch, true, Normalization.of(data), augmentation, 1, ranges)) {
            int done = 0;
            for (int epoch = 1; done < warmup + steps; epoch++) {
                try (DataLoader.Epoch batches = loader.epoch(epoch, 0, true)) {
                    while (batches.hasNext() && done < warmup + steps) {
                        long start = System.nanoTime();
                        batches.next();
                        long elapsed = System.nanoTime() - start;
                        if (done >= warmup) {
                            nanos[done - warmup] = elapsed;
                        }
                        done++;
                    }
                }
            }
        }
        return nanos;
    }

    /**
     * A Markdown table: part, median milliseconds, share of the step (the sum of the step's parts' medians, the
     * loader not included), each part followed by its passes timed alone, if any.
     */
    static String table(String workload, String backend, int steps, List<Part> parts) {
        double total = parts.stream().filter(p -> !p.name().startsWith("data loader"))
                .mapToDouble(Part::medianMillis).sum();
        // The mean whole step, outliers included, as an epoch's clock sees it.
        double mean = parts.stream().filter(p -> !p.name().startsWith("data loader"))
                .mapToDouble(p -> mean(p.nanos())).sum();
        int batch = Integer.parseInt(workload.split("-")[2]);
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s on %s, median of %d steps: %.2f ms per"
                + " step (%.0f images/s); mean %.2f ms (%.0f images/s)%n%n| part | pass alone | ms | share | mean ms |%n"
                + "|---|---|---:|---:|---:|%n", workload, backend, steps, total, batch / (total / 1000), mean,
                batch / (mean / 1000)));
        // The mean column shows where the outliers that separate the mean step from the median one fall.
        for (Part p : parts) {
            out.append(String.format(Locale.ROOT, "| %s | | %.3f | %.1f%% | %.3f |%n", p.name(), p.medianMillis(),
                    100 * p.medianMillis() / total, mean(p.nanos())));
            p.ops().forEach((op, nanos) -> out.append(String.format(Locale.ROOT,
                    "| | %s | %.3f | (%.1f%%) | %.3f |%n", op, median(nanos), 100 * median(nanos) / total,
                    mean(nanos))));
        }
        return out.toString();
    }
}
