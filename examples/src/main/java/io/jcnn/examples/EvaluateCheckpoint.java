package io.jcnn.examples;

import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import io.jcnn.data.Normalization;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Evaluation;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.tensor.Shape;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads a saved checkpoint (from {@code jcnn train} or {@link LenetOnMnistSample}) into a fresh model of the kind
 * its header names, and evaluates it on the MNIST sample's test digits. Run:
 * {@code java -cp 'lib/*' io.jcnn.examples.EvaluateCheckpoint runs/lenet/checkpoint.jcnn}.
 */
public final class EvaluateCheckpoint {
    private EvaluateCheckpoint() {
    }

    public static Evaluation evaluate(Backend backend, Path checkpoint) throws IOException {
        Checkpoint.Header header = Checkpoint.readHeader(checkpoint);
        Normalization norm = new Normalization(Float.parseFloat(header.metadata().getOrDefault("normalization.mean",
                "0")), Float.parseFloat(header.metadata().getOrDefault("normalization.std", "1")));
        Dataset test = Mnist.sample().test();
        int pad = (header.sampleShape().dim(1) - test.height()) / 2;
        test = test.padded(Math.max(0, pad));
        int batch = 250;
        try (Sequential model = Models.byName(header.modelName());
             DataLoader data = new DataLoader(test, batch, false, norm, Augmentation.NONE, 0)) {
            Shape sample = header.sampleShape();
            model.compile(backend, Shape.of(batch, sample.dim(0), sample.dim(1), sample.dim(2)), 0);
            Checkpoint.load(checkpoint, model, null);
            return Evaluation.of(model, data);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: EvaluateCheckpoint CHECKPOINT");
            System.exit(2);
        }
        try (CpuBackend cpu = new CpuBackend()) {
            Evaluation result = evaluate(cpu, Path.of(args[0]));
            System.out.printf("%s: accuracy %.2f%% on %d test digits, loss %.4f%n", args[0],
                    100 * result.accuracy(), result.samples(), result.loss());
            System.out.print(result.confusionTable());
        }
    }
}
