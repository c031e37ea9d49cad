package io.jcnn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The MNIST handwritten digits (LeCun, Cortes and Burges; CC BY-SA 3.0): 1×28×28 grey images, white digit on black,
 * labels 0..9. {@link #load} reads the four official IDX files from a directory, full MNIST (60,000/10,000) or any
 * subset in the same format; {@link #sample} reads the 8,000/2,000 real digits bundled with jcnn, so that training
 * works offline.
 */
public final class Mnist {
    /** Number of classes: the digits 0 to 9. */
    public static final int CLASSES = 10;
    /** File name of the training images (IDX, without {@code .gz}). */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    /** File name of the training labels (IDX, without {@code .gz}). */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    /** File name of the test images (IDX, without {@code .gz}). */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    /** File name of the test labels (IDX, without {@code .gz}). */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    private static final String SAMPLE_RESOURCES = "/io/jcnn/data/mnist-sample/";

    private Mnist() {
    }

    /** Reads the four files from {@code dir}, each either raw or with a {@code .gz} suffix. */
    public static DatasetSplit load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("MNIST directory " + dir + " does not exist or is not a directory");
        }
        Dataset train = dataset("MNIST train (" + dir + ")", find(dir, TRAIN_IMAGES), find(dir, TRAIN_LABELS));
        Dataset test = dataset("MNIST test (" + dir + ")", find(dir, TEST_IMAGES), find(dir, TEST_LABELS));
        return new DatasetSplit(train, test);
    }

    /** The bundled sample: 8,000 training and 2,000 test digits (see the README beside the files). */
    public static DatasetSplit sample() {
        try {
            Dataset train = sampleDataset("MNIST sample train", TRAIN_IMAGES, TRAIN_LABELS);
            Dataset test = sampleDataset("MNIST sample test", TEST_IMAGES, TEST_LABELS);
            return new DatasetSplit(train, test);
        } catch (IOException e) {
            throw new UncheckedIOException("the bundled MNIST sample is damaged: " + e.getMessage(), e);
        }
    }

    private static Path find(Path dir, String name) throws IOException {
        Path raw = dir.resolve(name);
        Path gz = dir.resolve(name + ".gz");
        if (Files.exists(gz)) {
            return gz;
        }
        if (Files.exists(raw)) {
            return raw;
        }
        throw new IOException("MNIST file missing: expected " + name + " or " + name + ".gz in " + dir
                + " (jcnn download fetches them)");
    }

    private static Dataset dataset(String name, Path images, Path labels) throws IOException {
        return combine(name, IdxReader.readImages(images), IdxReader.readLabels(labels, CLASSES), images, labels);
    }

    private static Dataset sampleDataset(String name, String images, String labels) throws IOException {
        String imagesFile = SAMPLE_RESOURCES + images + ".gz";
        String labelsFile = SAMPLE_RESOURCES + labels + ".gz";
        IdxReader.Images read = IdxReader.parseImages(imagesFile, resource(imagesFile));
        int[] readLabels = IdxReader.parseLabels(labelsFile, resource(labelsFile), CLASSES);
        return combine(name, read, readLabels, imagesFile, labelsFile);
    }

    private static Dataset combine(String name, IdxReader.Images images, int[] labels, Object imagesFile,
                                   Object labelsFile) throws IOException {
        if (images.count() != labels.length) {
            throw new IOException(imagesFile + " holds " + images.count() + " images but " + labelsFile + " holds "
                    + labels.length + " labels; expected the same count");
        }
        if (images.rows() != 28 || images.columns() != 28) {
            throw new IOException(imagesFile + ": images of " + images.rows() + "×" + images.columns()
                    + ", expected MNIST's 28×28");
        }
        return new Dataset(name, 1, images.rows(), images.columns(), images.pixels(), labels, CLASSES);
    }

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = Mnist.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("resource " + path + " is missing from the jcnn jar");
            }
            return in.readAllBytes();
        }
    }
}
