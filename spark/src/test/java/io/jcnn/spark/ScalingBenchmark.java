package io.jcnn.spark;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.DataLoader;
import io.jcnn.data.DatasetSplit;
import io.jcnn.data.Mnist;
import io.jcnn.model.Sequential;
import io.jcnn.model.Trainer;
import io.jcnn.model.TrainingListener;
import io.jcnn.optim.Optimizer;
import io.jcnn.tensor.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Images per second of LeNet on the bundled digits: one process ({@code Trainer}, 1 and 2 threads) against Spark in
 * local mode with 1 and 2 partitions of one thread each, in one run, and the overhead of a round without steps.
 * {@code benchmarks/spark/scaling.sh} runs it; arguments: epochs (default 2), local steps K (default 1).
 */
public final class ScalingBenchmark {
    private ScalingBenchmark() {
    }

    /** Runs the comparison and prints one line per configuration. */
    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int localSteps = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        DatasetSplit mnist = Mnist.sample();
        int batch = 64;
        System.out.printf(Locale.ROOT, "LeNet, batch %d, %d epochs of %,d images, K = %d, %d cores%n", batch, epochs,
                mnist.train().size(), localSteps, Runtime.getRuntime().availableProcessors());
        for (int threads : new int[] {1, 2}) {
            double rate = single(mnist, batch, epochs, threads);
            System.out.printf(Locale.ROOT, "one process, %d thread%s: %.0f images/s%n", threads,
                    threads == 1 ? "" : "s", rate);
        }
        for (int partitions : new int[] {1, 2}) {
            try (JavaSparkContext spark = LocalSpark.start(partitions)) {
                TrainingRecipe recipe = recipe(batch, partitions, localSteps, epochs);
                SparkTrainer trainer = new SparkTrainer(spark, recipe);
                SparkTrainer.Result result = trainer.fit(SparkTrainer.examples(spark, mnist.train(), partitions),
                        mnist.test(), null, null, TrainingListener.NONE);
                double rate = result.history().get(result.history().size() - 1).imagesPerSecond();
                List<Double> overhead = trainer.overheadSeconds(SparkTrainer.examples(spark, mnist.train(),
                        partitions), 30);
                System.out.printf(Locale.ROOT, "spark local, %d partition%s: %.0f images/s (last epoch), median round"
                                + " %.1f ms, of which overhead (a round without steps) %.1f ms; test accuracy %.2f%%%n",
                        partitions, partitions == 1 ? "" : "s", rate, 1000 * median(result.roundSeconds()),
                        1000 * median(overhead.subList(5, overhead.size())),
                        100 * result.history().get(result.history().size() - 1).testAccuracy());
            }
        }
    }

    private static TrainingRecipe recipe(int batch, int partitions, int localSteps, int epochs) {
        return new TrainingRecipe("lenet", List.of(), 1, 28, 28, 10, batch, partitions, localSteps, epochs, 1, "sgd",
                0.02f, 0.9f, 0.001f, 0.13f, 0.31f, 0, 0, 0, false, 1, "cpu");
    }

    private static double single(DatasetSplit mnist, int batch, int epochs, int threads) {
        TrainingRecipe recipe = recipe(batch, 1, 1, epochs);
        try (CpuBackend cpu = new CpuBackend(threads); Sequential model = recipe.newModel();
             Optimizer optimizer = recipe.newOptimizer();
             DataLoader train = new DataLoader(mnist.train(), batch, true, recipe.normalization(),
                     recipe.augmentation(), 1)) {
            model.compile(cpu, Shape.nchw(batch, 1, 28, 28), 1);
            optimizer.compile(cpu, model.params());
            var history = Trainer.builder(model, optimizer, train).epochs(epochs).seed(1)
                    .schedule(recipe.schedule(epochs * train.batchesPerEpoch(true))).build().fit().history();
            return history.get(history.size() - 1).imagesPerSecond();
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
