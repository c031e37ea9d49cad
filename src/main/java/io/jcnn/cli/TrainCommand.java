package io.jcnn.cli;

import io.jcnn.backend.Backend;
import io.jcnn.backend.BackendChoice;
import io.jcnn.backend.CheckedBackend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.data.DatasetSplit;
import io.jcnn.data.Normalization;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.EpochMetrics;
import io.jcnn.model.ModelSpec;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.model.Trainer;
import io.jcnn.model.TrainingListener;
import io.jcnn.model.RunHistory;
import io.jcnn.model.TrainingResult;
import io.jcnn.model.TrainingReplica;
import io.jcnn.model.TrainingState;
import io.jcnn.parallel.DeviceList;
import io.jcnn.parallel.Replicas;
import io.jcnn.optim.CosineSchedule;
import io.jcnn.optim.Optimizer;
import io.jcnn.tensor.Shape;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code jcnn train}: trains a zoo model on a dataset, evaluating on its test split after every epoch, and leaves a
 * checkpoint, metrics and a training-curve plot in the output directory. Ctrl-C stops after the current batch and
 * saves a checkpoint that {@code --resume} continues exactly.
 */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        description = "Train a model (default: LeNet on the bundled MNIST sample) and save a checkpoint, metrics.csv,"
                + " metrics.json and training-curves.png in the output directory.")
final class TrainCommand implements Callable<Integer> {
    static final String CHECKPOINT_FILE = "checkpoint.jcnn";
    private static final long INTERRUPT_WAIT_SECONDS = 120;

    @Spec
    private CommandSpec spec;

    @Mixin
    private DeviceOptions device;

    @Mixin
    private TrainingOptions options;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory for the checkpoint, metrics and plot. Default: runs/MODEL.")
    private Path out;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", arity = "0..1", fallbackValue = "",
            description = "Continue from a checkpoint (default: the one in the output directory) with the same"
                    + " data, batch size and seed; --epochs is the total, counting the epochs already done.")
    private String resume;

    @Option(names = "--from", paramLabel = "CHECKPOINT",
            description = "Fine-tune: start from a checkpoint's model and parameters (one written by jcnn import, or"
                    + " by an earlier run) with a new optimizer and schedule. The model and its input normalisation"
                    + " come from the checkpoint, so --model does not apply.")
    private Path from;

    @Option(names = "--devices", paramLabel = "LIST",
            description = "Train data-parallel, one replica per device: cuda:0,cuda:1 (gradients averaged through"
                    + " NCCL, or through host memory where NCCL is missing), or cpu,cpu (the CPU threads split between"
                    + " the replicas). --batch-size is the total over the devices and must divide evenly. Replaces"
                    + " --device.")
    private String devices;

    @Option(names = "--check-against-cpu",
            description = "Run every op also on the CPU backend with the same inputs and report, per op, the largest"
                    + " difference (slow: use with --limit or few --epochs).")
    private boolean checkAgainstCpu;

    /** Fewest samples per thread when the CPU backend's threads prepare a batch: a rotated 28×28 digit takes ~4 µs. */
    private static final int MIN_SAMPLES_PER_THREAD = 8;

    /**
     * The training loader. Where the CPU backend keeps a thread on every core (its default), a loader thread of its own
     * would have no core either and would preempt the computation's threads, each of which the others wait for; so
     * each batch is prepared between steps instead, its samples split over the backend's threads, which are idle
     * then (LeNet on 2 cores with the default rotation and scaling: 2-4% faster than prefetching, and the
     * preparation itself about twice as fast on both threads as on one). On the GPU, or with cores to spare, a
     * background thread prefetches as usual.
     */
    private static DataLoader trainingLoader(Backend backend, int threads, Dataset train, long seed, int batchSize,
                                             Normalization normalization, Augmentation augmentation) {
        boolean everyCore = threads >= Runtime.getRuntime().availableProcessors();
        if (backend instanceof CpuBackend cpu && everyCore) {
            return new DataLoader(train, batchSize, true, normalization, augmentation, seed,
                    (count, body) -> cpu.runOnThreads(count, MIN_SAMPLES_PER_THREAD, body::run));
        }
        return new DataLoader(train, batchSize, true, normalization, augmentation, seed);
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        options.check();
        DeviceList deviceList = deviceList();
        boolean modelGiven = spec.commandLine().getParseResult().hasMatchedOption("--model");
        if (from != null && modelGiven) {
            throw new ParameterException(spec.commandLine(), "--from and --model exclude each other: the model comes"
                    + " from the --from checkpoint");
        }
        Checkpoint.Header fromHeader = from == null ? null : Checkpoint.readHeader(from);
        ModelSpec modelSpec = fromHeader != null ? checkpointModel(from, fromHeader) : options.modelSpec();
        Path outDir = out != null ? out : Path.of("runs", modelSpec.name());
        OutputDirectory.prepare(outDir);
        Path checkpoint = outDir.resolve(CHECKPOINT_FILE);
        Path resumeFrom = resume == null ? null : resume.isEmpty() ? checkpoint : Path.of(resume);
        if (resumeFrom != null && fromHeader == null && !modelGiven) {
            // Resuming without --model continues whatever model the checkpoint holds, zoo or not.
            modelSpec = checkpointModel(resumeFrom, Checkpoint.readHeader(resumeFrom));
        }

        DatasetSplit split = DataSources.load(options.data);
        Dataset train = DataSources.fit(options.limited(split.train()), modelSpec);
        Dataset test = DataSources.fit(options.limited(split.test()), modelSpec);
        // Before anything large is built: a batch the data cannot fill, or a shift that blanks every image.
        options.checkAgainst(train, options.data);
        String threadsNote = device.threadsNote();
        if (threadsNote != null) {
            console.println(threadsNote);
        }
        Augmentation augmentation = options.augmentation(train.channels());
        Checkpoint.Header resumeHeader = resumeFrom == null ? null : resumeHeader(resumeFrom, modelSpec, train);
        // A fine-tuned model keeps the inputs its weights were trained on; a resumed run, those it began with.
        Normalization normalization = fromHeader != null ? RunMetadata.normalization(fromHeader)
                : resumeHeader != null && resumeHeader.metadata().containsKey(RunMetadata.MEAN)
                ? RunMetadata.normalization(resumeHeader) : Normalization.of(train);

        RunHistory earlier = resumeHeader == null ? RunHistory.EMPTY
                : earlierMetrics(outDir, resumeFrom, resumeHeader);
        checkWritable(checkpoint);
        int stale = Checkpoint.removeStaleTemporaries(checkpoint);
        if (stale > 0) {
            console.printf(Locale.ROOT, "removed %d temporary checkpoint file%s left in %s by an interrupted save%n",
                    stale, stale == 1 ? "" : "s", outDir);
        }
        int shard = options.batchSize / (deviceList != null ? deviceList.size() : 1);
        Shape input = Shape.of(shard, train.channels(), train.height(), train.width());
        ModelSpec replicated = modelSpec;
        try (Replicas<TrainingReplica> group = deviceList == null ? null : Replicas.start(deviceList,
                device.threads(), device.strict(), b -> replica(replicated, b, input, train));
             Backend ownBackend = group != null ? null : checkAgainstCpu ? new CheckedBackend(device.createBackend(),
                     new CpuBackend(device.threads())) : device.createBackend();
             Sequential ownModel = group != null ? null : modelSpec.create();
             Optimizer ownOptimizer = group != null ? null : options.optimizer();
             DataLoader trainData = group != null ? replicaLoader(group, train, normalization, augmentation)
                     : trainingLoader(ownBackend, device.threads(), train, options.seed, options.batchSize,
                     normalization, augmentation);
             DataLoader testData = new DataLoader(test, shard, false, normalization, Augmentation.NONE,
                     options.seed)) {
            Backend backend = group != null ? group.backend(0) : ownBackend;
            Sequential model = group != null ? group.replica(0).model() : ownModel;
            Optimizer optimizer = group != null ? group.replica(0).optimizer() : ownOptimizer;
            if (group == null) {
                compile(model, modelSpec, backend, input, train);
                optimizer.compile(backend, model.params());
            }
            TrainingState state = null;
            if (resumeFrom != null) {
                state = Checkpoint.load(resumeFrom, model, optimizer).state();
                console.printf(Locale.ROOT, "resuming from %s at epoch %d, batch %d (step %d)%n", resumeFrom,
                        state.epoch(), state.batchInEpoch(), state.step());
            } else if (from != null) {
                Checkpoint.load(from, model, null);
                console.printf(Locale.ROOT, "starting from the parameters of %s; input normalisation mean %s, std %s%n",
                        from, normalization.mean(), normalization.std());
            }
            if (group == null && device.device().equals("auto")) {
                BackendChoice choice = device.choice();
                console.printf(Locale.ROOT, "device auto: %s (%s)%n", choice.backend(), choice.reason());
            }
            console.printf(Locale.ROOT, "model %s (%,d parameters) on %s; data %s: %,d train / %,d test images%n",
                    modelSpec.name(), model.parameterCount(), group != null ? describe(group) : backend.description(),
                    options.data, train.size(), test.size());
            if (group != null && group.fallback() != null) {
                console.println("note: " + group.fallback());
            }
            for (String line : ConvolutionAlgorithms.lines(model)) {
                console.println("  " + line);
            }
            int batches = trainData.batchesPerEpoch(true);
            MetricsWriter metrics = new MetricsWriter(outDir, earlier.epochs());
            if (!earlier.epochs().isEmpty()) {
                // A run killed after a checkpoint but before its metrics were written gets them back now.
                MetricsWriter.write(outDir, earlier.epochs());
            }
            AtomicBoolean stop = new AtomicBoolean();
            Trainer.Builder builder = Trainer.builder(model, optimizer, trainData);
            if (group != null) {
                builder.replicas(group);
            }
            Trainer trainer = builder
                    .test(testData)
                    .epochs(options.epochs)
                    .seed(options.seed)
                    .schedule(new CosineSchedule(options.learningRate, 0f, options.epochs * batches))
                    .checkpoint(checkpoint)
                    .checkpointMetadata(metadata(normalization, train))
                    .listener(TrainingListener.all(TrainingProgress.forStandardOutput(), metrics,
                            new CurveWriter(outDir, metrics)))
                    .stopWhen(stop::get)
                    .build();
            TrainingState from = state;
            RunHistory before = earlier;
            TrainingResult result = runStoppable(() -> trainer.fit(from, before), stop);
            report(console, result, outDir, checkpoint);
            if (backend instanceof CheckedBackend checked) {
                console.println("largest differences from the CPU backend, per op:");
                checked.report().forEach(line -> console.println("  " + line));
            }
            return result.outcome() == TrainingResult.Outcome.DIVERGED ? Main.EXIT_FAILURE : 0;
        }
    }

    /**
     * The training loader of a data-parallel run. CPU replicas that share every core prepare each batch between steps,
     * split over the replicas' threads, for the reason {@link #trainingLoader} gives; GPU replicas, whose threads
     * mostly wait for their devices, leave it to a background thread.
     */
    private DataLoader replicaLoader(Replicas<TrainingReplica> group, Dataset train, Normalization normalization,
                                     Augmentation augmentation) {
        boolean everyCore = device.threads() >= Runtime.getRuntime().availableProcessors();
        if (!group.devices().gpus() && everyCore) {
            int n = group.size();
            return new DataLoader(train, options.batchSize, true, normalization, augmentation, options.seed,
                    (count, body) -> group.onEveryRank(r -> {
                        body.run(count * r / n, count * (r + 1) / n);
                        return null;
                    }));
        }
        return new DataLoader(train, options.batchSize, true, normalization, augmentation, options.seed);
    }

    /** The --devices list, checked against the other options, or null without --devices. */
    private DeviceList deviceList() {
        if (devices == null) {
            return null;
        }
        CommandLine commandLine = spec.commandLine();
        if (commandLine.getParseResult().hasMatchedOption("--device")) {
            throw new ParameterException(commandLine, "--devices and --device exclude each other: --devices names"
                    + " every device the run uses");
        }
        if (checkAgainstCpu) {
            throw new ParameterException(commandLine, "--check-against-cpu checks one device; it does not combine"
                    + " with --devices");
        }
        DeviceList list;
        try {
            list = DeviceList.parse(devices);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, "--devices: " + e.getMessage());
        }
        if (options.batchSize % list.size() != 0) {
            throw new ParameterException(commandLine, "--batch-size " + options.batchSize + " does not split evenly"
                    + " over the " + list.size() + " devices of --devices " + list + "; use a multiple of "
                    + list.size());
        }
        return list;
    }

    /** One data-parallel replica of the model, compiled on {@code backend} for {@code input}. */
    private TrainingReplica replica(ModelSpec modelSpec, Backend backend, Shape input, Dataset train) {
        Sequential model = modelSpec.create();
        try {
            compile(model, modelSpec, backend, input, train);
            Optimizer optimizer = options.optimizer();
            try {
                optimizer.compile(backend, model.params());
            } catch (RuntimeException e) {
                optimizer.close();
                throw e;
            }
            return new TrainingReplica(model, optimizer);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private void compile(Sequential model, ModelSpec modelSpec, Backend backend, Shape input, Dataset train) {
        try {
            model.compile(backend, input, options.seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model '" + modelSpec.name() + "' (made for " + modelSpec.channels()
                    + "×" + modelSpec.height() + "×" + modelSpec.width() + " images) cannot take the "
                    + train.channels() + "×" + train.height() + "×" + train.width() + " images of " + options.data
                    + ": " + e.getMessage(), e);
        }
    }

    private static String describe(Replicas<TrainingReplica> group) {
        return group.size() + (group.size() == 1 ? " replica (" : " replicas (") + group.devices()
                + "), gradients averaged through " + group.collective(0).transport() + "; rank 0: "
                + group.backend(0).description();
    }

    /** The model a checkpoint holds, as a zoo entry would describe it, its intended input being the checkpoint's. */
    private static ModelSpec checkpointModel(Path file, Checkpoint.Header header) {
        Shape sample = header.sampleShape();
        if (sample.rank() != 3) {
            throw new IllegalArgumentException("checkpoint " + file + " holds a model of " + sample + " input; jcnn"
                    + " train feeds C×H×W images");
        }
        TrainedModels.create(file, header).close();
        return new ModelSpec(header.modelName(), "the model of checkpoint " + file, sample.dim(0), sample.dim(1),
                sample.dim(2), () -> TrainedModels.create(file, header));
    }

    /** Runs {@code training} so that Ctrl-C (or SIGTERM) asks it to stop and waits for its checkpoint. */
    private static TrainingResult runStoppable(java.util.function.Supplier<TrainingResult> training,
                                               AtomicBoolean stop) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            System.err.println();
            System.err.println("jcnn: interrupted; finishing the current batch and saving a checkpoint");
            try {
                finished.await(INTERRUPT_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jcnn-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return training.get();
        } finally {
            System.out.flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is already running; it returns now that training has finished.
            }
        }
    }

    private java.util.Map<String, String> metadata(Normalization normalization, Dataset train) {
        java.util.Map<String, String> all = new java.util.HashMap<>(RunMetadata.of(normalization, options.data,
                options.epochs, options.batchSize));
        all.putAll(RunMetadata.resumeCritical(options.data, train.size(), options));
        if (from != null) {
            all.put(RunMetadata.FROM, from.toString());
        }
        if (devices != null) {
            all.put(RunMetadata.DEVICES, DeviceList.parse(devices).toString());
        }
        return all;
    }

    /**
     * Refuses a checkpoint that cannot be replaced before a whole epoch is spent training: jcnn replaces it after
     * every epoch. Its mode counts, not only the OS's answer, so that a file made read-only on purpose is honoured
     * even for a user the OS lets write anything.
     */
    private static void checkWritable(Path checkpoint) throws IOException {
        if (!Files.exists(checkpoint)) {
            return;
        }
        boolean readOnly = !Files.isWritable(checkpoint);
        if (!readOnly && Files.getFileStore(checkpoint).supportsFileAttributeView("posix")) {
            readOnly = !Files.getPosixFilePermissions(checkpoint).contains(
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        }
        if (readOnly) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " is read-only, and training replaces it"
                    + " after every epoch: make it writable (chmod u+w) or write this run elsewhere with --out");
        }
    }

    private Checkpoint.Header resumeHeader(Path file, ModelSpec modelSpec, Dataset train) throws IOException {
        Checkpoint.Header header = Checkpoint.readHeader(file);
        if (!header.modelName().equals(modelSpec.name())) {
            throw new IllegalArgumentException("--resume: checkpoint " + file + " holds model '" + header.modelName()
                    + "' but --model is '" + modelSpec.name() + "'");
        }
        if (header.state() == null || header.optimizerKind() == null) {
            throw new IllegalArgumentException("--resume: checkpoint " + file + " holds parameters only, no training"
                    + " state to resume");
        }
        String batchSize = header.metadata().get(RunMetadata.BATCH_SIZE);
        if (batchSize != null && !batchSize.equals(Integer.toString(options.batchSize))) {
            throw new IllegalArgumentException("--resume: checkpoint " + file + " was trained with --batch-size "
                    + batchSize + "; resume with the same batch size, not " + options.batchSize);
        }
        java.util.List<String> changed = new java.util.ArrayList<>();
        RunMetadata.resumeCritical(options.data, train.size(), options).forEach((key, now) -> {
            String then = header.metadata().get(key);
            if (then != null && !then.equals(now)) {
                changed.add(RunMetadata.OPTION.get(key) + " was " + then + ", now " + now);
            }
        });
        if (!changed.isEmpty()) {
            java.util.Collections.sort(changed);
            throw new IllegalArgumentException("--resume: checkpoint " + file + " was trained with other settings ("
                    + String.join("; ", changed) + "); resume with the same ones, or start a new run with --out");
        }
        String epochs = header.metadata().get(RunMetadata.EPOCHS);
        if (epochs != null && !epochs.equals(Integer.toString(options.epochs))) {
            spec.commandLine().getOut().println("note: the run began with --epochs " + epochs + "; with --epochs "
                    + options.epochs + " the learning-rate schedule stretches, so the result differs from an"
                    + " uninterrupted run");
        }
        return header;
    }

    /**
     * What the checkpoint's run measured before it stopped: its own history (completed epochs, and the sums of the
     * epoch it stopped in); for a checkpoint older than that, the completed epochs from the run's metrics.csv.
     */
    private static RunHistory earlierMetrics(Path outDir, Path file, Checkpoint.Header header) throws IOException {
        RunHistory saved = RunHistory.fromMetadata(header.metadata(), "checkpoint " + file);
        if (saved != null) {
            return saved;
        }
        Path csv = outDir.resolve(MetricsWriter.CSV_FILE);
        if (!Files.exists(csv)) {
            return RunHistory.EMPTY;
        }
        List<EpochMetrics> all = MetricsWriter.parseCsv(Files.readString(csv, StandardCharsets.UTF_8),
                csv.toString());
        return new RunHistory(all.stream().filter(m -> m.epoch() < header.state().epoch()).toList(),
                RunHistory.EpochSums.NONE);
    }

    private static void report(PrintWriter console, TrainingResult result, Path outDir, Path checkpoint) {
        // How a stopped or diverged run ended was already shown by the progress listener.
        EpochMetrics last = result.last();
        if (last != null && last.hasTestMetrics()) {
            double seconds = result.history().stream().mapToDouble(EpochMetrics::wallSeconds).sum();
            console.printf(Locale.ROOT, "test accuracy %.2f%% after %d epochs (%.0f s); checkpoint %s,"
                            + " metrics %s, curves %s%n", 100 * last.testAccuracy(), last.epoch(), seconds, checkpoint,
                    outDir.resolve(MetricsWriter.CSV_FILE), outDir.resolve(TrainingCurveChart.FILE));
        }
    }

    /**
     * Redraws the training-curve PNG when at least {@link #REDRAW_SECONDS} have passed since the last drawing, and when
     * training ends or stops. Drawing the chart takes a few hundred milliseconds of CPU (more while the JIT compiles
     * the drawing code), which on a two-core machine came out of the next epoch's training time when it ran after
     * every epoch of a one-second LeNet epoch.
     */
    private static final class CurveWriter implements TrainingListener {
        static final long REDRAW_SECONDS = 30;
        private final Path outDir;
        private final MetricsWriter metrics;
        private long lastDrawn = System.nanoTime();
        private boolean pending;

        CurveWriter(Path outDir, MetricsWriter metrics) {
            this.outDir = outDir;
            this.metrics = metrics;
        }

        @Override
        public void onEpoch(EpochMetrics epoch) {
            pending = true;
            if (System.nanoTime() - lastDrawn >= TimeUnit.SECONDS.toNanos(REDRAW_SECONDS)) {
                draw();
            }
        }

        @Override
        public void onFinish() {
            draw();
        }

        @Override
        public void onStop(String reason) {
            draw();
        }

        private void draw() {
            if (!pending || metrics.history().isEmpty()) {
                return;
            }
            try {
                TrainingCurveChart.write(metrics.history(), outDir.resolve(TrainingCurveChart.FILE),
                        TrainingCurveChart.DEFAULT_WIDTH, TrainingCurveChart.DEFAULT_HEIGHT);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the training curves to " + outDir + ": "
                        + e.getMessage(), e);
            }
            pending = false;
            lastDrawn = System.nanoTime();
        }
    }
}
