package peers;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * jcnn's AlexNet-32 ({@code io.jcnn.model.Models.alexnet32()}) trained with DJL 0.36.0 on the PyTorch 2.7.1 CPU engine:
 * the peer that {@code benchmarks/peers/compare-alexnet32.sh} runs next to {@code jcnn train --model alexnet32}.
 *
 * <p>Network, for 1×32×32 input (the 28×28 digits framed by 2 black pixels, then normalised with the padded training
 * set's mean and standard deviation, as jcnn does): conv1 32@3×3 pad 1, ReLU, max pool 2/2; conv2 64@3×3 pad 1, ReLU,
 * max pool 2/2; conv3 96@3×3 pad 1, ReLU; conv4 96@3×3 pad 1, ReLU; conv5 64@3×3 pad 1, ReLU, max pool 2/2; flatten;
 * fc6 256, ReLU, dropout ½; fc7 256, ReLU, dropout ½; fc8 10. Every layer has a bias. 543,370 parameters. Weights as
 * jcnn draws them: He-normal (σ = √(2 / fanIn)) for conv1-5, fc6 and fc7, N(0, 0.01²) for fc8; biases zero.
 * Softmax cross-entropy averaged over the batch; SGD, learning rate 0.01 held constant, momentum 0.9 (heavy-ball: DJL's
 * PyTorch engine has no Nesterov), no weight decay.
 *
 * <p>Protocol (the same as the LeNet peers'): every epoch's batches are shuffled and copied into NDArrays before its
 * timer starts; the timer covers forward, loss, backward and the optimizer step of every batch. By default the last,
 * partial batch of an epoch is dropped, as jcnn's trainer does (8,000 digits at batch 128: 62 steps, 7,936 images), so
 * both sides do the same steps; images/s counts the images actually trained on. Test accuracy is measured after the
 * last epoch at the inference batch size; inference throughput is the median of 10 timed rounds (after 3 warm-up rounds)
 * over the test set in full batches.
 *
 * <p>Usage: {@code java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=N -cp ... peers.AlexNet32Bench DATA_DIR
 * [warmupEpochs=1] [timedEpochs=3] [batch=128] [inferBatch=256] [drop-last|keep-last]}
 */
public final class AlexNet32Bench {
    private static final int SIDE = 32;
    private static final long SEED = 1L;

    private AlexNet32Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: AlexNet32Bench DATA_DIR [warmupEpochs=1] [timedEpochs=3] [batch=128]"
                    + " [inferBatch=256] [drop-last|keep-last]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int warmupEpochs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int timedEpochs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int inferBatch = args.length > 4 ? Integer.parseInt(args[4]) : 256;
        String last = args.length > 5 ? args[5] : "drop-last";
        if (!last.equals("drop-last") && !last.equals("keep-last")) {
            throw new IllegalArgumentException("6th argument: drop-last or keep-last, got " + last);
        }
        boolean dropLast = last.equals("drop-last");

        System.out.println("=== environment ===");
        System.out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
                + "), " + Runtime.getRuntime().availableProcessors() + " processors, max heap "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        System.out.println("env OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS")
                + " MALLOC_MMAP_THRESHOLD_=" + System.getenv("MALLOC_MMAP_THRESHOLD_")
                + " MALLOC_TRIM_THRESHOLD_=" + System.getenv("MALLOC_TRIM_THRESHOLD_")
                + " MALLOC_TOP_PAD_=" + System.getenv("MALLOC_TOP_PAD_")
                + "; ai.djl.pytorch.num_threads=" + System.getProperty("ai.djl.pytorch.num_threads")
                + " ai.djl.offline=" + System.getProperty("ai.djl.offline"));
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) SEED);
        System.out.println("DJL " + Engine.getDjlVersion() + " engine=" + engine.getEngineName() + " "
                + engine.getVersion() + " device=" + engine.defaultDevice());
        // libtorch's own view (at::get_num_threads, at::get_num_interop_threads) after DJL applied the properties.
        System.out.println("pytorch threads: intra-op=" + JniUtils.getNumThreads() + " inter-op="
                + JniUtils.getNumInteropThreads());
        System.out.println("pytorch features: " + JniUtils.getFeatures());

        // ------------------------------------------------------------ data, prepared as jcnn prepares it
        long loadStart = System.nanoTime();
        Digits train = Digits.load(dir, "train", (SIDE - 28) / 2);
        Digits test = Digits.load(dir, "t10k", (SIDE - 28) / 2);
        float mean = (float) train.pixelMean();
        double std0 = train.pixelStd();
        float std = std0 > 0 ? (float) std0 : 1f;
        float[] table = Digits.lookup(mean, std);
        System.out.printf(Locale.ROOT, "data: train=%d test=%d (%dx%d after padding; loaded in %.0f ms) dir=%s%n",
                train.count, test.count, SIDE, SIDE, (System.nanoTime() - loadStart) / 1e6, dir.toAbsolutePath());
        System.out.printf(Locale.ROOT, "normalisation: x = (p/255 - %.6f) / %.6f (padded training pixels)%n", mean, std);

        // ------------------------------------------------------------ network
        List<Block> heNormal = new ArrayList<>();
        SequentialBlock net = new SequentialBlock();
        addConv(net, heNormal, 32).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));   // conv1, pool1
        addConv(net, heNormal, 64).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));   // conv2, pool2
        addConv(net, heNormal, 96);                                                             // conv3
        addConv(net, heNormal, 96);                                                             // conv4
        addConv(net, heNormal, 64).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));   // conv5, pool5
        net.add(Blocks.batchFlattenBlock());                                                    // 64×4×4 = 1024
        addDense(net, heNormal, 256);                                                           // fc6
        addDense(net, heNormal, 256);                                                           // fc7
        Linear fc8 = Linear.builder().setUnits(10).optBias(true).build();
        net.add(fc8);                                                                           // logits
        for (Block b : heNormal) {
            b.setInitializer(AlexNet32Bench::heNormal, Parameter.Type.WEIGHT);
            b.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        }
        fc8.setInitializer(gaussian(0.01f), Parameter.Type.WEIGHT);
        fc8.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);

        // Softmax + negative log-likelihood of the class index, averaged over the batch (jcnn's fused loss).
        Loss loss = Loss.softmaxCrossEntropyLoss();
        DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).optMomentum(0.9f)
                        .optWeightDecays(0f).build())
                .optDevices(new Device[] {Device.cpu()});

        try (Model model = Model.newInstance("alexnet32", Device.cpu(), "PyTorch")) {
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batchSize, 1, SIDE, SIDE));
                NDManager base = trainer.getManager();
                System.out.println("=== network ===");
                long params = 0;
                for (Pair<String, Parameter> p : net.getParameters()) {
                    NDArray a = p.getValue().getArray();
                    params += a.getShape().size();
                    System.out.printf(Locale.ROOT, "  %-24s %-16s std %.5f%n", p.getKey(), a.getShape(),
                            std(a.toFloatArray()));
                }
                System.out.println("numParams=" + params + " optimizer=SGD(lr 0.01 constant, momentum 0.9 heavy-ball,"
                        + " weight decay 0) init=He-normal (conv1-5, fc6, fc7), N(0,0.01) (fc8), zero biases"
                        + " loss=softmaxCrossEntropy dropout=0.5 after fc6 and fc7");

                // -------------------------------------------------------- training
                int steps = dropLast ? train.count / batchSize : (train.count + batchSize - 1) / batchSize;
                System.out.printf(Locale.ROOT, "=== training: %d warm-up + %d timed epochs, batch %d, %d steps per"
                        + " epoch (%s) ===%n", warmupEpochs, timedEpochs, batchSize, steps, last);
                double[] timedSeconds = new double[timedEpochs];
                long timedImages = 0;
                for (int e = 0; e < warmupEpochs + timedEpochs; e++) {
                    // Shuffling and building this epoch's NDArrays (one NDManager per batch): before the timer.
                    int[] order = permutation(train.count, SEED * 7919 + e);
                    List<Batch> batches = new ArrayList<>(steps);
                    int images = 0;
                    for (int s = 0; s < steps; s++) {
                        int from = s * batchSize;
                        int to = Math.min(train.count, from + batchSize);
                        batches.add(Batch.of(base, train, table, order, from, to));
                        images += to - from;
                    }
                    float lastLoss = Float.NaN;
                    long t0 = System.nanoTime();
                    for (int s = 0; s < steps; s++) {
                        Batch b = batches.get(s);
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray logits = trainer.forward(new NDList(b.x)).singletonOrThrow();
                            NDArray l = loss.evaluate(new NDList(b.y), new NDList(logits));
                            gc.backward(l);
                            if (s == steps - 1) {
                                lastLoss = l.getFloat();
                            }
                        }
                        trainer.step();
                        b.manager.close();  // this step's activations, loss and graph
                    }
                    double sec = (System.nanoTime() - t0) / 1e9;
                    boolean warm = e < warmupEpochs;
                    System.out.printf(Locale.ROOT, "epoch %d (%s): %d images, %d steps, %.3f s, %.1f img/s, last batch"
                            + " loss %.4f%n", e, warm ? "warm-up" : "timed", images, steps, sec, images / sec, lastLoss);
                    if (Float.isNaN(lastLoss)) {
                        System.out.println("WARNING: the loss is NaN: training diverged in epoch " + e);
                    }
                    if (!warm) {
                        timedSeconds[e - warmupEpochs] = sec;
                        timedImages += images;
                    }
                }
                double timedTotal = Arrays.stream(timedSeconds).sum();
                double trainRate = timedImages / timedTotal;
                System.out.printf(Locale.ROOT, "train: %d images in %.3f s over %d timed epochs -> %.1f img/s%n",
                        timedImages, timedTotal, timedEpochs, trainRate);

                // -------------------------------------------------------- test accuracy (inference mode: no dropout)
                int[] inOrder = new int[test.count];
                for (int i = 0; i < test.count; i++) {
                    inOrder[i] = i;
                }
                int correct = 0;
                for (int s = 0; s < test.count; s += inferBatch) {
                    int to = Math.min(test.count, s + inferBatch);
                    Batch b = Batch.of(base, test, table, inOrder, s, to);
                    long[] predicted;
                    try (NDManager scope = base.newSubManager()) {
                        b.x.tempAttach(scope);  // the logits land in scope; x returns to its batch when scope closes
                        predicted = trainer.evaluate(new NDList(b.x)).singletonOrThrow().argMax(1).toLongArray();
                    }
                    for (int i = 0; i < to - s; i++) {
                        if (predicted[i] == test.labels[s + i]) {
                            correct++;
                        }
                    }
                    b.manager.close();
                }
                double accuracy = correct / (double) test.count;
                System.out.printf(Locale.ROOT, "test accuracy: %d/%d = %.4f%n", correct, test.count, accuracy);

                // -------------------------------------------------------- inference throughput
                int inferBatches = (test.count + inferBatch - 1) / inferBatch;
                int[] cyclic = new int[inferBatches * inferBatch];
                for (int i = 0; i < cyclic.length; i++) {
                    cyclic[i] = i % test.count;
                }
                List<Batch> inference = new ArrayList<>();
                for (int k = 0; k < inferBatches; k++) {
                    inference.add(Batch.of(base, test, table, cyclic, k * inferBatch, (k + 1) * inferBatch));
                }
                for (int w = 0; w < 3; w++) {
                    forward(trainer, base, inference);
                }
                double[] rates = new double[10];
                for (int r = 0; r < rates.length; r++) {
                    long t0 = System.nanoTime();
                    forward(trainer, base, inference);
                    rates[r] = (double) inferBatches * inferBatch / ((System.nanoTime() - t0) / 1e9);
                }
                for (Batch b : inference) {
                    b.manager.close();
                }
                double inferRate = median(rates);
                System.out.printf(Locale.ROOT, "inference: batch %d, 10 rounds of %d batches after 3 warm-up rounds:"
                                + " median %.1f img/s (min %.1f, max %.1f)%n", inferBatch, inferBatches, inferRate,
                        Arrays.stream(rates).min().orElse(0), Arrays.stream(rates).max().orElse(0));
                System.out.println("pytorch threads at end: intra-op=" + JniUtils.getNumThreads() + " inter-op="
                        + JniUtils.getNumInteropThreads());

                String epochs = Arrays.stream(timedSeconds).mapToObj(s -> String.format(Locale.ROOT, "%.3f", s))
                        .collect(Collectors.joining(", ", "[", "]"));
                System.out.printf(Locale.ROOT, "RESULT train_img_per_s=%.1f test_acc=%.4f infer_img_per_s=%.1f"
                        + " epoch_s=%s%n", trainRate, accuracy, inferRate, epochs);
            }
        }
    }

    /** 3×3 convolution, stride 1, padding 1, with bias, followed by ReLU. */
    private static SequentialBlock addConv(SequentialBlock net, List<Block> heNormal, int filters) {
        Conv2d conv = Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(1, 1))
                .optPadding(new Shape(1, 1)).setFilters(filters).optBias(true).build();
        heNormal.add(conv);
        return net.add(conv).add(Activation.reluBlock());
    }

    /** Fully connected layer with bias, ReLU, dropout with probability ½ (inverted: scaled by 2 in training). */
    private static void addDense(SequentialBlock net, List<Block> heNormal, int units) {
        Linear dense = Linear.builder().setUnits(units).optBias(true).build();
        heNormal.add(dense);
        net.add(dense).add(Activation.reluBlock()).add(Dropout.builder().optRate(0.5f).build());
    }

    /** He et al. (2015): N(0, 2 / fanIn), fanIn = every input a weight of one output unit sees. */
    private static NDArray heNormal(NDManager manager, Shape shape, DataType type) {
        long fanIn = shape.size() / shape.get(0);
        return manager.randomNormal(0f, (float) Math.sqrt(2.0 / fanIn), shape, type);
    }

    private static Initializer gaussian(float sigma) {
        return (manager, shape, type) -> manager.randomNormal(0f, sigma, shape, type);
    }

    /** One inference pass over {@code batches}, nothing read back; every intermediate freed as it goes. */
    private static void forward(Trainer trainer, NDManager base, List<Batch> batches) {
        for (Batch b : batches) {
            try (NDManager scope = base.newSubManager()) {
                b.x.tempAttach(scope);
                trainer.evaluate(new NDList(b.x));
            }
        }
    }

    /** Population standard deviation, to show the initial weights' scale. */
    private static double std(float[] v) {
        double sum = 0;
        for (float f : v) {
            sum += f;
        }
        double mean = sum / v.length;
        double sq = 0;
        for (float f : v) {
            sq += (f - mean) * (f - mean);
        }
        return Math.sqrt(sq / v.length);
    }

    private static int[] permutation(int n, long seed) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** A minibatch in its own NDManager: images [b, 1, 32, 32] float32 (normalised), labels [b] int64. */
    private record Batch(NDManager manager, NDArray x, NDArray y) {
        static Batch of(NDManager parent, Digits data, float[] table, int[] order, int from, int to) {
            int b = to - from;
            int size = data.side * data.side;
            float[] x = new float[b * size];
            long[] y = new long[b];
            for (int i = 0; i < b; i++) {
                int src = order[from + i] * size;
                for (int k = 0; k < size; k++) {
                    x[i * size + k] = table[data.pixels[src + k] & 0xFF];
                }
                y[i] = data.labels[order[from + i]];
            }
            NDManager m = parent.newSubManager();
            return new Batch(m, m.create(x, new Shape(b, 1, data.side, data.side)), m.create(y, new Shape(b)));
        }
    }
}
