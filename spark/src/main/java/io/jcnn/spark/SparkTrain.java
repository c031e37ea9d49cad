package io.jcnn.spark;

import io.jcnn.data.Cifar10;
import io.jcnn.data.Dataset;
import io.jcnn.data.DatasetSplit;
import io.jcnn.data.Mnist;
import io.jcnn.model.EpochMetrics;
import io.jcnn.model.ModelSpec;
import io.jcnn.model.Models;
import io.jcnn.model.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code spark-submit} entry point: trains a zoo model on MNIST IDX or CIFAR-10 files read from any path Hadoop
 * reads (hdfs://, s3a://, file://, ...), or on the bundled digits, with {@link SparkTrainer}, and leaves a
 * checkpoint and metrics as {@code jcnn train} does. A failure ends with one line and exit status 1.
 */
@Command(name = "jcnn-spark-train", mixinStandardHelpOptions = true,
        description = "Data-parallel training on Apache Spark: each round every partition trains --local-steps steps"
                + " on its shard from the broadcast model, and the driver averages the partitions' models.")
public final class SparkTrain implements Callable<Integer> {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec command;

    /**
     * {@code spark.task.maxDirectResultSize} unless the job sets it: a partition's summed state (8 bytes per
     * parameter, momentum included) then travels with the task's status instead of through the block manager, which
     * took LeNet's rounds in local mode from about 50 to 35 ms.
     */
    static final String DIRECT_RESULT_SIZE = "64m";

    @Option(names = "--data", paramLabel = "PATH", defaultValue = "sample",
            description = "'sample' (the bundled 8,000/2,000 MNIST digits), or a directory Hadoop can read holding the"
                    + " MNIST IDX files or CIFAR-10 binary batches. Default: ${DEFAULT-VALUE}.")
    private String data;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "lenet",
            description = "The zoo model. Default: ${DEFAULT-VALUE}.")
    private String model;

    @Option(names = "--epochs", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    private int epochs;

    @Option(names = "--batch-size", defaultValue = "64",
            description = "The global batch, split evenly over the partitions. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Option(names = "--partitions", defaultValue = "2",
            description = "Shards, one Spark task each per round. Default: ${DEFAULT-VALUE}.")
    private int partitions;

    @Option(names = "--local-steps", defaultValue = "1",
            description = "Steps per partition between averagings: 1 is synchronous SGD, more is local SGD."
                    + " Default: ${DEFAULT-VALUE}.")
    private int localSteps;

    @Option(names = "--lr", defaultValue = "0.02", description = "Default: ${DEFAULT-VALUE}.")
    private float learningRate;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd or adam. Default: ${DEFAULT-VALUE}.")
    private String optimizer;

    @Option(names = "--momentum", defaultValue = "0.9", description = "Default: ${DEFAULT-VALUE}.")
    private float momentum;

    @Option(names = "--weight-decay", defaultValue = "0.001", description = "Default: ${DEFAULT-VALUE}.")
    private float weightDecay;

    @Option(names = "--shift", defaultValue = "2",
            description = "Augmentation: the largest shift in pixels. Default: ${DEFAULT-VALUE}.")
    private int shift;

    @Option(names = "--seed", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(names = "--threads", defaultValue = "1",
            description = "CPU threads per task (match spark.task.cpus). Default: ${DEFAULT-VALUE}.")
    private int threads;

    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu, or gpu: each task uses the GPU Spark assigns it. Default: ${DEFAULT-VALUE}.")
    private String device;

    @Option(names = "--all-reduce",
            description = "With --device gpu: average every step's gradients through NCCL (the tasks of each round"
                    + " form a barrier stage and exchange NCCL's id with allGather) instead of averaging parameters"
                    + " after every --local-steps steps.")
    private boolean allReduce;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/spark",
            description = "Where checkpoint.jcnn and metrics.csv go, on the driver. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Option(names = "--resume", description = "Continue from the checkpoint in --out.")
    private boolean resume;

    /** Runs the command on {@code args}; exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status (0 trained, 1 failed, 2 bad usage). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine command = new CommandLine(new SparkTrain());
        command.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("jcnn-spark-train: " + oneLine(e));
            return 1;
        });
        command.setOut(new java.io.PrintWriter(out, true));
        command.setErr(new java.io.PrintWriter(err, true));
        return command.execute(args);
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getMessage() == null) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return message.lines().findFirst().orElse(message);
    }

    @Override
    public Integer call() throws IOException {
        if (allReduce && !device.equals("gpu")) {
            throw new IllegalArgumentException("--all-reduce averages gradients through NCCL between GPUs; use it with"
                    + " --device gpu");
        }
        ModelSpec spec = Models.spec(model);
        DatasetSplit split = load(data);
        Dataset train = fit(split.train(), spec);
        Dataset test = fit(split.test(), spec);
        RecipeBuilder builder = RecipeBuilder.of(spec, train).batchSize(batchSize).partitions(partitions)
                .localSteps(localSteps).epochs(epochs).seed(seed).shift(shift).threads(threads);
        switch (optimizer) {
            case "sgd" -> builder.sgd(learningRate, momentum, weightDecay);
            case "adam" -> builder.adam(learningRate, weightDecay);
            default -> throw new IllegalArgumentException("--optimizer must be sgd or adam, got '" + optimizer + "'");
        }
        switch (device) {
            case "cpu" -> { }
            case "gpu" -> builder.onGpu();
            default -> throw new IllegalArgumentException("--device must be cpu or gpu, got '" + device + "'");
        }
        TrainingRecipe recipe = builder.build();
        Files.createDirectories(out);
        Path checkpoint = out.resolve("checkpoint.jcnn");
        SparkConf conf = new SparkConf().setAppName("jcnn " + spec.name());
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[" + partitions + ",4]");
        }
        if (!conf.contains("spark.task.maxDirectResultSize")) {
            conf.set("spark.task.maxDirectResultSize", DIRECT_RESULT_SIZE);
        }
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            java.io.PrintWriter console = command.commandLine().getOut();
            console.printf(Locale.ROOT, "model %s on Spark %s (%s): %d partitions of %d images per step, %d local"
                            + " step%s per round; data %s: %,d train / %,d test images%n", spec.name(),
                    spark.version(), spark.master(), partitions, recipe.localBatch(), localSteps,
                    localSteps == 1 ? "" : "s", data, train.size(), test.size());
            SparkTrainer trainer = new SparkTrainer(spark, recipe);
            if (allReduce) {
                trainer.allReduceGradients();
            }
            SparkTrainer.Result result = trainer.fit(
                    SparkTrainer.examples(spark, train, Math.max(partitions, spark.defaultParallelism())), test,
                    checkpoint, resume ? checkpoint : null, new Progress(console));
            List<EpochMetrics> history = new java.util.ArrayList<>(earlier(resume, out, result));
            history.addAll(result.history());
            io.jcnn.cli.MetricsWriter.write(out, history);
            EpochMetrics last = history.isEmpty() ? null : history.get(history.size() - 1);
            if (last != null) {
                console.printf(Locale.ROOT, "test accuracy %.2f%% after %d epochs; checkpoint %s%n",
                        100 * last.testAccuracy(), last.epoch(), checkpoint);
            }
        }
        return 0;
    }

    /** A resumed run's epochs before this call's, from its metrics.csv. */
    private static List<EpochMetrics> earlier(boolean resumed, Path out, SparkTrainer.Result result)
            throws IOException {
        Path csv = out.resolve(io.jcnn.cli.MetricsWriter.CSV_FILE);
        if (!resumed || !Files.exists(csv) || result.history().isEmpty()) {
            return List.of();
        }
        int first = result.history().get(0).epoch();
        return io.jcnn.cli.MetricsWriter.parseCsv(Files.readString(csv), csv.toString()).stream()
                .filter(m -> m.epoch() < first).toList();
    }

    /** The examples of a directory Hadoop reads, copied to a local directory first; or the bundled digits. */
    static DatasetSplit load(String path) throws IOException {
        if (path.equals("sample")) {
            return Mnist.sample();
        }
        Path local = Files.createTempDirectory("jcnn-spark-data");
        try {
            FileSystem fs = FileSystem.get(URI.create(path), new Configuration());
            org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(path);
            if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
                throw new IllegalArgumentException("--data " + path + " is not a directory");
            }
            for (FileStatus file : fs.listStatus(dir)) {
                if (file.isFile()) {
                    fs.copyToLocalFile(file.getPath(), new org.apache.hadoop.fs.Path(local.resolve(
                            file.getPath().getName()).toUri()));
                }
            }
            return Files.exists(local.resolve("data_batch_1.bin")) ? Cifar10.load(local) : Mnist.load(local);
        } finally {
            try (var files = Files.list(local)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(local);
        }
    }

    /** MNIST padded for a model made for 32×32 images, as {@code jcnn train} does. */
    private static Dataset fit(Dataset data, ModelSpec spec) {
        int dy = spec.height() - data.height();
        return dy > 0 && dy % 2 == 0 && spec.width() - data.width() == dy ? data.padded(dy / 2) : data;
    }

    /** One line per epoch, and every tenth of an epoch's rounds. */
    private record Progress(java.io.PrintWriter console) implements TrainingListener {
        @Override
        public void onBatch(int epoch, int round, int rounds, double loss, double accuracy) {
            if ((round + 1) % Math.max(1, rounds / 10) == 0) {
                console.printf(Locale.ROOT, "epoch %d  round %d/%d  loss %.4f  accuracy %.2f%%%n", epoch, round + 1,
                        rounds, loss, 100 * accuracy);
            }
        }

        @Override
        public void onEpoch(EpochMetrics m) {
            console.printf(Locale.ROOT, "epoch %d  train loss %.4f accuracy %.2f%%  test loss %.4f accuracy %.2f%%"
                            + "  %.0f images/s  %.1f s%n", m.epoch(), m.trainLoss(), 100 * m.trainAccuracy(),
                    m.testLoss(), 100 * m.testAccuracy(), m.imagesPerSecond(), m.wallSeconds());
        }
    }
}
