package io.jcnn.examples;

import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.DatasetSplit;
import io.jcnn.data.Mnist;
import io.jcnn.data.Normalization;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Evaluation;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.model.Trainer;
import io.jcnn.model.TrainingListener;
import io.jcnn.model.EpochMetrics;
import io.jcnn.optim.CosineSchedule;
import io.jcnn.optim.Sgd;
import io.jcnn.tensor.Shape;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * jcnn as a library: builds LeNet, trains it on the bundled MNIST sample, evaluates it and saves a checkpoint — the
 * README's example. Run: {@code java -cp 'lib/*' io.jcnn.examples.LenetOnMnistSample [epochs] [checkpoint]}.
 */
public final class LenetOnMnistSample {
    private LenetOnMnistSample() {
    }

    /** Trains for {@code epochs} and returns the test evaluation; saves to {@code checkpoint} when not null. */
    public static Evaluation run(Backend backend, int epochs, Path checkpoint) throws IOException {
        long seed = 1;
        int batch = 64;
        DatasetSplit mnist = Mnist.sample();
        Normalization norm = Normalization.of(mnist.train());
        try (Sequential model = Models.lenet();
             Sgd sgd = new Sgd(0.02f).withMomentum(0.9f).withWeightDecay(5e-4f);
             DataLoader train = new DataLoader(mnist.train(), batch, true, norm, new Augmentation(0, 2, false), seed);
             DataLoader test = new DataLoader(mnist.test(), batch, false, norm, Augmentation.NONE, seed)) {
            model.compile(backend, Shape.of(batch, 1, 28, 28), seed);
            sgd.compile(backend, model.params());
            Trainer trainer = Trainer.builder(model, sgd, train)
                    .test(test)
                    .epochs(epochs)
                    .seed(seed)
                    .schedule(new CosineSchedule(0.02f, 0f, epochs * train.batchesPerEpoch(true)))
                    .listener(new TrainingListener() {
                        @Override
                        public void onEpoch(EpochMetrics m) {
                            System.out.printf("epoch %d: train loss %.4f, test accuracy %.2f%%, %.0f images/s%n",
                                    m.epoch(), m.trainLoss(), 100 * m.testAccuracy(), m.imagesPerSecond());
                        }
                    })
                    .build();
            trainer.fit();
            Evaluation result = Evaluation.of(model, test);
            if (checkpoint != null) {
                Checkpoint.save(checkpoint, model, null, null, Map.of("normalization.mean",
                        Float.toString(norm.mean()), "normalization.std", Float.toString(norm.std())));
            }
            return result;
        }
    }

    public static void main(String[] args) throws IOException {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path checkpoint = Path.of(args.length > 1 ? args[1] : "lenet.jcnn");
        try (CpuBackend cpu = new CpuBackend()) {
            Evaluation result = run(cpu, epochs, checkpoint);
            System.out.printf("test accuracy %.2f%%; saved %s%n", 100 * result.accuracy(), checkpoint);
            System.out.print(result.confusionTable());
        }
    }
}
