package io.jcnn.examples;

import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Augmentation;
import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.data.DatasetSplit;
import io.jcnn.data.Mnist;
import io.jcnn.data.Normalization;
import io.jcnn.model.EpochMetrics;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.model.Trainer;
import io.jcnn.model.TrainingListener;
import io.jcnn.model.TrainingResult;
import io.jcnn.optim.CosineSchedule;
import io.jcnn.optim.Sgd;
import io.jcnn.tensor.Shape;

/**
 * The AlexNet-style network ({@link Models#alexnet32()}: five convolutions, three poolings, two dropout dense
 * layers) on MNIST digits padded from 28×28 to 32×32 with a zero border. Run:
 * {@code java -cp 'lib/*' io.jcnn.examples.AlexNet32OnPaddedMnist [epochs] [training images]}; the command line's
 * {@code jcnn train --model alexnet32} does the same.
 */
public final class AlexNet32OnPaddedMnist {
    private AlexNet32OnPaddedMnist() {
    }

    /** Trains on the first {@code limit} padded sample digits and returns the run's result. */
    public static TrainingResult train(Backend backend, int epochs, int limit) {
        long seed = 1;
        int batch = 64;
        DatasetSplit mnist = Mnist.sample();
        Dataset train = mnist.train().subset(0, Math.min(limit, mnist.train().size())).padded(2);
        Dataset test = mnist.test().padded(2);
        Normalization norm = Normalization.of(train);
        try (Sequential model = Models.alexnet32();
             Sgd sgd = new Sgd(0.01f).withMomentum(0.9f).withWeightDecay(5e-4f);
             DataLoader trainData = new DataLoader(train, batch, true, norm, new Augmentation(0, 2, false), seed);
             DataLoader testData = new DataLoader(test, batch, false, norm, Augmentation.NONE, seed)) {
            model.compile(backend, Shape.of(batch, 1, 32, 32), seed);
            sgd.compile(backend, model.params());
            System.out.print(model.summary());
            return Trainer.builder(model, sgd, trainData)
                    .test(testData)
                    .epochs(epochs)
                    .seed(seed)
                    .schedule(new CosineSchedule(0.01f, 0f, epochs * trainData.batchesPerEpoch(true)))
                    .listener(new TrainingListener() {
                        @Override
                        public void onEpoch(EpochMetrics m) {
                            System.out.printf("epoch %d: train loss %.4f, test accuracy %.2f%%, %.0f images/s%n",
                                    m.epoch(), m.trainLoss(), 100 * m.testAccuracy(), m.imagesPerSecond());
                        }
                    })
                    .build()
                    .fit();
        }
    }

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : 8000;
        try (CpuBackend cpu = new CpuBackend()) {
            System.out.println(train(cpu, epochs, limit).message());
        }
    }
}
