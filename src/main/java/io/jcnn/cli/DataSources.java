package io.jcnn.cli;

import io.jcnn.data.Cifar10;
import io.jcnn.data.Dataset;
import io.jcnn.data.DatasetSplit;
import io.jcnn.data.Mnist;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.ModelSpec;
import io.jcnn.tensor.Shape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code --data} names: {@code sample} (the bundled 8,000/2,000 MNIST digits), or a directory holding MNIST IDX
 * files (full MNIST works unchanged) or CIFAR-10 binary batches, told apart by their file names.
 */
final class DataSources {
    static final String SAMPLE = "sample";

    private DataSources() {
    }

    static DatasetSplit load(String data) throws IOException {
        if (data.equals(SAMPLE)) {
            return Mnist.sample();
        }
        Path dir = Path.of(data);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--data: " + data + " is not a directory; expected '" + SAMPLE
                    + "' or a directory of MNIST IDX files or CIFAR-10 binary batches");
        }
        if (looksLikeCifar(dir)) {
            return Cifar10.load(dir);
        }
        return Mnist.load(dir);
    }

    private static boolean looksLikeCifar(Path dir) {
        return Files.exists(dir.resolve("data_batch_1.bin"))
                || Files.exists(dir.resolve("cifar-10-batches-bin").resolve("data_batch_1.bin"));
    }

    /**
     * {@code data} shaped for {@code model}: padded with a zero border when its images are smaller than the model's
     * intended input by an even margin (MNIST's 28×28 for a 32×32 network), otherwise unchanged; layers size
     * themselves to their input, so a mismatch the model cannot take fails when it is compiled, naming the layer.
     */
    static Dataset fit(Dataset data, ModelSpec model) {
        int dy = model.height() - data.height();
        int dx = model.width() - data.width();
        if (dy == dx && dy > 0 && dy % 2 == 0) {
            return data.padded(dy / 2);
        }
        return data;
    }

    /**
     * The {@code split} ("test" or "train") of {@code data}, shaped for the model in {@code checkpoint}: padded when
     * the model was trained on it padded (MNIST's 28×28 for a 32×32 network), and checked against the model's input.
     */
    static Dataset forCheckpoint(String data, String split, Path checkpoint, Checkpoint.Header header)
            throws IOException {
        DatasetSplit parts = load(data);
        Dataset dataset = split.equals("test") ? parts.test() : parts.train();
        int border = (header.sampleShape().dim(1) - dataset.height()) / 2;
        if (border > 0 && header.sampleShape().dim(2) == dataset.width() + 2 * border) {
            dataset = dataset.padded(border);
        }
        Shape sample = Shape.of(dataset.channels(), dataset.height(), dataset.width());
        if (!sample.equals(header.sampleShape())) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " was trained on " + header.sampleShape()
                    + " images but dataset '" + dataset.name() + "' has " + sample);
        }
        return dataset;
    }
}
