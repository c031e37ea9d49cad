package io.jcnn.cli;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads an image file (PNG, JPEG, or another format Java decodes) as a network input: unsigned bytes in C×H×W
 * order, 0 black to 255 white, channel planes R, G, B for three channels — the layout of a dataset's pixels.
 *
 * <p>One channel is luma (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B); grey files keep their exact values. Transparent
 * pixels are composited over white. The picture is stretched to H×W: shrinking averages each target pixel's area of
 * the source (so 56×56 → 28×28 averages 2×2 blocks exactly), enlarging interpolates bilinearly. Nothing else is
 * done: MNIST-style models expect a white digit on black, so a dark-on-light drawing must be inverted by the caller.
 */
public final class ImageLoader {
    /**
     * The most pixels a source image may have: 50 megapixels, far more than a network's input needs. A larger header
     * is refused before decoding, as the decoded image alone would take gigabytes.
     */
    public static final long MAX_PIXELS = 50_000_000;
    /** Heap one source pixel takes while loading: up to 8 bytes decoded (16-bit RGBA), 8 in each of 3 planes. */
    static final int HEAP_BYTES_PER_PIXEL = 32;
    private static final int MAX_SAMPLE_BITS = 16;
    private static final double LUMA_RED = 0.299;
    private static final double LUMA_GREEN = 0.587;
    private static final double LUMA_BLUE = 0.114;
    private static final double WHITE = 255;

    static {
        // ImageIO loads AWT classes; this must precede AWT's first use. A caller that chose otherwise keeps its choice.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ImageLoader() {
    }

    /**
     * Reads {@code file} as {@code channels × height × width} unsigned bytes.
     *
     * @param channels 1 (grey) or 3 (RGB)
     * @throws IOException naming the file when it is missing, not an image, or damaged
     */
    public static byte[] load(Path file, int channels, int height, int width) throws IOException {
        checkTarget(channels, height, width);
        return convert(read(file), channels, height, width);
    }

    /**
     * Decodes {@code file} as it is, for a caller that looks at it (its size) before {@link #convert converting} it.
     * The file's header is checked before decoding: at least 1×1 pixels, at most {@link #MAX_PIXELS} and what the
     * heap holds (32 bytes a pixel while loading), samples of at most 16 bits.
     *
     * @throws IOException naming the file when it is missing, not an image, damaged, or too large
     */
    public static BufferedImage read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (Files.isDirectory(file)) {
            throw new IOException("image " + file + " is a directory, expected a PNG or JPEG file");
        }
        if (!Files.isReadable(file)) {
            throw new AccessDeniedException(file.toString());
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("cannot read " + file
                        + ": not a PNG or JPEG image (nor another format Java reads)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return decode(file, reader);
            } finally {
                reader.dispose();
            }
        }
    }

    /** The first image, decoded only once its header promises a size and sample depth this loader affords. */
    private static BufferedImage decode(Path file, ImageReader reader) throws IOException {
        checkSize(file, decoding(file, () -> reader.getWidth(0)), decoding(file, () -> reader.getHeight(0)));
        ImageTypeSpecifier type = decoding(file, () -> reader.getRawImageType(0));
        if (type != null) {
            checkSampleBits(file, type.getSampleModel().getSampleSize());
        }
        return decoding(file, () -> reader.read(0, reader.getDefaultReadParam()));
    }

    /** The most pixels a source image may have when the heap holds at most {@code maxHeap} bytes. */
    static long pixelLimit(long maxHeap) {
        return Math.min(MAX_PIXELS, maxHeap / HEAP_BYTES_PER_PIXEL);
    }

    private static void checkSize(Path file, int width, int height) throws IOException {
        String size = "image " + file + " is " + width + "×" + height + " pixels";
        if (width < 1 || height < 1) {
            throw new IOException(size + ", expected at least 1×1");
        }
        long pixels = (long) width * height;
        if (pixels > MAX_PIXELS) {
            throw new IOException(size + ", more than the " + MAX_PIXELS + " pixels jcnn loads");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (pixels > pixelLimit(heap)) {
            throw new IOException(size + ", more than this Java heap of " + (heap >> 20) + " MiB can load (at most "
                    + pixelLimit(heap) + " pixels); give Java more heap (-Xmx) or shrink the image");
        }
    }

    /** Deeper samples than 16-bit PNG's are refused: converting them costs a table of 2^bits entries (TIFF). */
    private static void checkSampleBits(Path file, int[] sampleBits) throws IOException {
        for (int bits : sampleBits) {
            if (bits > MAX_SAMPLE_BITS) {
                throw new IOException("image " + file + " decodes to " + bits + "-bit samples, expected at most "
                        + MAX_SAMPLE_BITS + " bits a sample");
            }
        }
    }

    /** A step of an {@link ImageReader}. */
    private interface DecodingStep<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code step}, reporting damaged data as one failure naming the file: ImageIO's readers throw exceptions
     * that do not name it, some without a message (EOFException), and at times unchecked ones.
     */
    private static <T> T decoding(Path file, DecodingStep<T> step) throws IOException {
        try {
            return step.run();
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot decode image " + file + ": " + rootMessage(e), e);
        }
    }

    /** {@link #load} for an image already in memory. */
    public static byte[] convert(BufferedImage image, int channels, int height, int width) {
        checkTarget(channels, height, width);
        double[][] planes = planes(image, channels);
        int plane = height * width;
        byte[] pixels = new byte[channels * plane];
        for (int c = 0; c < channels; c++) {
            double[] resized = Resampling.resize(planes[c], image.getHeight(), image.getWidth(), height, width);
            for (int i = 0; i < plane; i++) {
                pixels[c * plane + i] = (byte) Math.max(0, Math.min(255, Math.round(resized[i])));
            }
        }
        return pixels;
    }

    private static void checkTarget(int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images can be loaded with 1 (grey) or 3 (RGB) channels, got "
                    + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be at least 1×1, got " + height + "×" + width);
        }
    }

    /** The image at its own size, as {@code channels} planes of values in [0, 255] over white. */
    private static double[][] planes(BufferedImage image, int channels) {
        ColorModel model = image.getColorModel();
        boolean grey = !(model instanceof IndexColorModel)
                && model.getColorSpace().getType() == ColorSpace.TYPE_GRAY && model.getNumColorComponents() == 1;
        double[] luma = grey ? greyPlane(image) : null;
        if (grey && channels == 1) {
            return new double[][] {luma};
        }
        if (grey) {
            return new double[][] {luma, luma, luma};
        }
        return rgbPlanes(image, channels);
    }

    /**
     * Grey images are read from their samples: {@code getRGB} would convert Java's linear grey colour space to sRGB
     * and change every mid-tone.
     */
    private static double[] greyPlane(BufferedImage image) {
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        int width = image.getWidth();
        int height = image.getHeight();
        double greyMax = (1 << model.getComponentSize(0)) - 1;
        boolean alpha = model.hasAlpha();
        double alphaMax = alpha ? (1 << model.getComponentSize(1)) - 1 : 1;
        double[] plane = new double[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double value = raster.getSample(x, y, 0) * (WHITE / greyMax);
                if (alpha) {
                    double opacity = raster.getSample(x, y, 1) / alphaMax;
                    value = over(value, opacity, model.isAlphaPremultiplied());
                }
                plane[y * width + x] = value;
            }
        }
        return plane;
    }

    private static double[][] rgbPlanes(BufferedImage image, int channels) {
        int width = image.getWidth();
        int height = image.getHeight();
        double[][] planes = new double[channels][width * height];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width); // non-premultiplied sRGB
            for (int x = 0; x < width; x++) {
                int argb = row[x];
                double opacity = (argb >>> 24) / 255.0;
                double red = over((argb >> 16) & 0xff, opacity, false);
                double green = over((argb >> 8) & 0xff, opacity, false);
                double blue = over(argb & 0xff, opacity, false);
                int i = y * width + x;
                if (channels == 1) {
                    planes[0][i] = LUMA_RED * red + LUMA_GREEN * green + LUMA_BLUE * blue;
                } else {
                    planes[0][i] = red;
                    planes[1][i] = green;
                    planes[2][i] = blue;
                }
            }
        }
        return planes;
    }

    /** A colour value seen over a white background. */
    private static double over(double value, double opacity, boolean premultiplied) {
        return (premultiplied ? value : value * opacity) + (1 - opacity) * WHITE;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return root == e ? message : e.getMessage() + " (" + message + ")";
    }
}
