package io.jcnn.data;

import io.jcnn.random.CounterRandom;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Serves a {@link Dataset} as batches of normalised float images and float class labels, ready to copy into
 * tensors.
 * <p>
 * Everything random is a function of (seed, epoch, position): epoch e's order is a Fisher–Yates permutation drawn
 * from {@code derive(seed, e)}, and the augmentation of the sample at position p of epoch e is drawn from its own
 * counter. So batches do not depend on timing, on prefetching, or on whether a run resumed mid-epoch: epoch e from
 * batch k is exactly what an uninterrupted run sees.
 * <p>
 * With prefetching (the default) a background thread prepares the next batches into a small ring of reusable
 * buffers while the caller trains on the current one; there is no allocation per batch once an epoch has started.
 * One epoch may be open at a time.
 */
public final class DataLoader implements AutoCloseable {
    /** Batches prepared ahead by default. */
    public static final int DEFAULT_PREFETCH = 2;
    private static final long ORDER_STREAM = 0x6f72646572L;
    private static final long AUGMENT_STREAM = 0x6175676dL;
    private static final long RESAMPLE_STREAM = 0x726f74617465L;

    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final Normalization normalization;
    private final Augmentation augmentation;
    private final long seed;
    private final int prefetch;
    private final SampleRanges ranges;
    private final float[] lookup;
    private final ArrayDeque<Batch> pool = new ArrayDeque<>();
    private Epoch open;
    private boolean closed;

    /** A loader with {@value #DEFAULT_PREFETCH} batches prefetched. */
    public DataLoader(Dataset data, int batchSize, boolean shuffle, Normalization normalization,
                      Augmentation augmentation, long seed) {
        this(data, batchSize, shuffle, normalization, augmentation, seed, DEFAULT_PREFETCH);
    }

    /**
     * @param prefetch batches a background thread prepares ahead; 0 prepares each batch in {@code next()}
     */
    public DataLoader(Dataset data, int batchSize, boolean shuffle, Normalization normalization,
                      Augmentation augmentation, long seed, int prefetch) {
        this(data, batchSize, shuffle, normalization, augmentation, seed, prefetch, SampleRanges.SERIAL);
    }

    /**
     * A loader without prefetch that prepares each batch in {@code next()}, its samples split by {@code ranges}: for
     * example over the CPU backend's threads, which are otherwise idle between steps.
     */
    public DataLoader(Dataset data, int batchSize, boolean shuffle, Normalization normalization,
                      Augmentation augmentation, long seed, SampleRanges ranges) {
        this(data, batchSize, shuffle, normalization, augmentation, seed, 0, ranges);
    }

    private DataLoader(Dataset data, int batchSize, boolean shuffle, Normalization normalization,
                       Augmentation augmentation, long seed, int prefetch, SampleRanges ranges) {
        this.data = Objects.requireNonNull(data, "dataset");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (prefetch < 0) {
            throw new IllegalArgumentException("prefetch must be >= 0 batches, got " + prefetch);
        }
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.normalization = Objects.requireNonNull(normalization, "normalization");
        this.augmentation = Objects.requireNonNull(augmentation, "augmentation");
        this.seed = seed;
        this.prefetch = prefetch;
        this.ranges = Objects.requireNonNull(ranges, "sample ranges");
        this.lookup = normalization.table();
    }

    /** The dataset this loader serves. */
    public Dataset dataset() {
        return data;
    }

    /** Samples per batch; the last batch of an epoch may hold fewer unless dropped. */
    public int batchSize() {
        return batchSize;
    }

    /** How pixel bytes are turned into input values. */
    public Normalization normalization() {
        return normalization;
    }

    /** Batches in an epoch: full ones only when {@code dropLast}, otherwise a final partial batch too. */
    public int batchesPerEpoch(boolean dropLast) {
        return dropLast ? data.size() / batchSize : (data.size() + batchSize - 1) / batchSize;
    }

    /**
     * Opens epoch {@code epoch} (counting from 1) at batch {@code firstBatch}. Close it (or exhaust and close it)
     * before opening another.
     */
    public Epoch epoch(int epoch, int firstBatch, boolean dropLast) {
        if (closed) {
            throw new IllegalStateException("data loader for '" + data.name() + "' is closed");
        }
        if (open != null && !open.closed) {
            throw new IllegalStateException("data loader for '" + data.name() + "': epoch " + open.number
                    + " is still open; close it before opening epoch " + epoch);
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("epochs count from 1, got " + epoch);
        }
        int batches = batchesPerEpoch(dropLast);
        if (firstBatch < 0 || firstBatch > batches) {
            throw new IllegalArgumentException("first batch " + firstBatch + " is outside epoch " + epoch + " of "
                    + batches + " batches");
        }
        open = new Epoch(epoch, firstBatch, batches, order(epoch));
        return open;
    }

    /** Dataset indices in epoch {@code epoch}'s order. */
    int[] order(int epoch) {
        int n = data.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            long stream = CounterRandom.derive(CounterRandom.derive(seed, ORDER_STREAM), epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = (int) Long.remainderUnsigned(CounterRandom.bits(stream, i), i + 1L);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /**
     * Fills {@code batch} with batch {@code index} of an epoch whose order is {@code order}: in {@code next()} split by
     * the loader's sample ranges, on the prefetch thread alone.
     */
    private void fill(Batch batch, int epoch, int[] order, int index, SampleRanges split) {
        int from = index * batchSize;
        int count = Math.min(batchSize, data.size() - from);
        int sample = data.sampleSize();
        long stream = CounterRandom.derive(CounterRandom.derive(seed, AUGMENT_STREAM), epoch);
        long resampleStream = CounterRandom.derive(CounterRandom.derive(seed, RESAMPLE_STREAM), epoch);
        split.run(count, (start, end) -> {
            for (int k = start; k < end; k++) {
                fillSample(batch, k, order[from + k], from + k, stream, resampleStream);
            }
        });
        if (count < batchSize) {
            java.util.Arrays.fill(batch.images, count * sample, batch.images.length, 0f);
            java.util.Arrays.fill(batch.labels, count, batchSize, 0f);
            java.util.Arrays.fill(batch.indices, count, batchSize, -1);
        }
        batch.size = count;
    }

    /**
     * Slot k of {@code batch}: dataset sample {@code source}, augmented with the draws at {@code position} of the
     * epoch's streams.
     */
    private void fillSample(Batch batch, int k, int source, int position, long stream, long resampleStream) {
        int sample = data.sampleSize();
        batch.indices[k] = source;
        batch.labels[k] = data.labels()[source];
        if (augmentation.isActive()) {
            long resample = augmentation.resamples() ? CounterRandom.bits(resampleStream, position) : 0;
            augment(source, k * sample, CounterRandom.bits(stream, position), resample, batch.images);
        } else {
            byte[] pixels = data.pixels();
            int in = source * sample;
            int out = k * sample;
            for (int i = 0; i < sample; i++) {
                batch.images[out + i] = lookup[pixels[in + i] & 0xFF];
            }
        }
    }

    /**
     * Writes sample {@code source} shifted by offsets drawn from {@code random}, maybe mirrored, and, where the
     * augmentation resamples, rotated and scaled by amounts drawn from {@code resample}.
     */
    private void augment(int source, int out, long random, long resample, float[] images) {
        int range = augmentation.range();
        int span = 2 * range + 1;
        int dx = range == 0 ? 0 : (int) Long.remainderUnsigned(random & 0xFFFFFF, span) - range;
        int dy = range == 0 ? 0 : (int) Long.remainderUnsigned((random >>> 24) & 0xFFFFFF, span) - range;
        boolean flip = augmentation.horizontalFlip() && (random >>> 63) != 0;
        int h = data.height();
        int w = data.width();
        byte[] pixels = data.pixels();
        float zero = lookup[0];
        if (augmentation.resamples()) {
            resample(source, out, dx, dy, flip, resample, images);
            return;
        }
        for (int c = 0; c < data.channels(); c++) {
            int inPlane = (source * data.channels() + c) * h * w;
            int outPlane = out + c * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y - dy;
                int row = outPlane + y * w;
                if (sy < 0 || sy >= h) {
                    java.util.Arrays.fill(images, row, row + w, zero);
                    continue;
                }
                for (int x = 0; x < w; x++) {
                    int sx = (flip ? w - 1 - x : x) - dx;
                    images[row + x] = sx < 0 || sx >= w ? zero : lookup[pixels[inPlane + sy * w + sx] & 0xFF];
                }
            }
        }
    }

    /**
     * The resampling path of {@link #augment}: output pixel (x, y) takes the bilinear interpolation at the source
     * point that the rotation and scaling about the centre, after the shift (and mirror), map onto it.
     */
    private void resample(int source, int out, int dx, int dy, boolean flip, long random, float[] images) {
        double angle = Math.toRadians(augmentation.maxRotationDegrees()) * symmetricUnit(random);
        double scale = 1 + augmentation.maxScaleChange() * symmetricUnit(random >>> 24);
        // The inverse map: rotate back by the angle and divide by the scale.
        double cos = StrictMath.cos(angle) / scale;
        double sin = StrictMath.sin(angle) / scale;
        int h = data.height();
        int w = data.width();
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        byte[] pixels = data.pixels();
        for (int c = 0; c < data.channels(); c++) {
            int inPlane = (source * data.channels() + c) * h * w;
            int outPlane = out + c * h * w;
            for (int y = 0; y < h; y++) {
                // Source coordinates are linear in x: start at x = 0 and step along the row.
                double v = y - dy - cy;
                double u = (flip ? w - 1 : 0) - dx - cx;
                double step = flip ? -1 : 1;
                double sx = cos * u + sin * v + cx;
                double sy = cos * v - sin * u + cy;
                double sxStep = cos * step;
                double syStep = -sin * step;
                int row = outPlane + y * w;
                for (int x = 0; x < w; x++, sx += sxStep, sy += syStep) {
                    images[row + x] = (float) bilinear(pixels, inPlane, h, w, sx, sy);
                }
            }
        }
    }

    /** The normalised image interpolated at (sx, sy); outside the image every pixel counts as a zero byte. */
    private double bilinear(byte[] pixels, int plane, int h, int w, double sx, double sy) {
        int x0 = (int) Math.floor(sx);
        int y0 = (int) Math.floor(sy);
        double fx = sx - x0;
        double fy = sy - y0;
        double top = (1 - fx) * pixel(pixels, plane, h, w, x0, y0) + fx * pixel(pixels, plane, h, w, x0 + 1, y0);
        double bottom = (1 - fx) * pixel(pixels, plane, h, w, x0, y0 + 1)
                + fx * pixel(pixels, plane, h, w, x0 + 1, y0 + 1);
        return (1 - fy) * top + fy * bottom;
    }

    private float pixel(byte[] pixels, int plane, int h, int w, int x, int y) {
        return x < 0 || y < 0 || x >= w || y >= h ? lookup[0] : lookup[pixels[plane + y * w + x] & 0xFF];
    }

    /** A number in [−1, 1] from the low 24 bits. */
    private static double symmetricUnit(long bits) {
        return (bits & 0xFFFFFF) / (double) 0xFFFFFF * 2 - 1;
    }

    private Batch takeBuffer() {
        synchronized (pool) {
            Batch b = pool.poll();
            return b != null ? b : new Batch(batchSize, data.sampleSize());
        }
    }

    private void returnBuffer(Batch batch) {
        synchronized (pool) {
            pool.push(batch);
        }
    }

    /** Stops any prefetching. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (open != null) {
            open.close();
        }
    }

    /**
     * One epoch's batches, in order. A batch stays valid until the next call to {@link #next()} or {@link #close()}.
     */
    public final class Epoch implements Iterator<Batch>, AutoCloseable {
        private final int number;
        private final int end;
        private final int[] order;
        private int next;
        private Batch current;
        private boolean closed;
        private final Thread producer;
        private final BlockingQueue<Object> ready;

        private Epoch(int number, int first, int end, int[] order) {
            this.number = number;
            this.end = end;
            this.order = order;
            this.next = first;
            if (prefetch > 0 && first < end) {
                ready = new ArrayBlockingQueue<>(prefetch);
                producer = new Thread(() -> produce(first), "jcnn-data-prefetch");
                producer.setDaemon(true);
                producer.start();
            } else {
                ready = null;
                producer = null;
            }
        }

        private void produce(int first) {
            try {
                for (int index = first; index < end && !Thread.currentThread().isInterrupted(); index++) {
                    Batch batch = takeBuffer();
                    fill(batch, number, order, index, SampleRanges.SERIAL);
                    ready.put(batch);
                }
            } catch (InterruptedException e) {
                // close() stops the producer; nothing is waiting for the remaining batches.
            } catch (Throwable failure) {
                try {
                    ready.put(failure);
                } catch (InterruptedException ignored) {
                    // Closed while reporting: the caller no longer wants batches.
                }
            }
        }

        @Override
        public boolean hasNext() {
            return !closed && next < end;
        }

        @Override
        public Batch next() {
            if (closed) {
                throw new IllegalStateException("epoch " + number + " of '" + data.name() + "' is closed");
            }
            if (next >= end) {
                throw new NoSuchElementException("epoch " + number + " has " + end + " batches");
            }
            if (current != null) {
                returnBuffer(current);
                current = null;
            }
            if (producer == null) {
                current = takeBuffer();
                fill(current, number, order, next, ranges);
            } else {
                Object item;
                try {
                    item = ready.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for batch " + next + " of epoch "
                            + number, e);
                }
                if (item instanceof Throwable failure) {
                    throw new IllegalStateException("preparing batch " + next + " of epoch " + number + " of '"
                            + data.name() + "' failed: " + failure, failure);
                }
                current = (Batch) item;
            }
            next++;
            return current;
        }

        /** Stops the background thread and returns the buffers. Idempotent. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (producer != null) {
                producer.interrupt();
                try {
                    producer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (Object item : ready) {
                    if (item instanceof Batch b) {
                        returnBuffer(b);
                    }
                }
                ready.clear();
            }
            if (current != null) {
                returnBuffer(current);
                current = null;
            }
        }
    }

    /**
     * One batch: {@link #capacity()} slots of which the first {@link #size()} hold samples; the rest are zero.
     */
    public static final class Batch {
        private final float[] images;
        private final float[] labels;
        private final int[] indices;
        private int size;

        Batch(int capacity, int sampleSize) {
            this.images = new float[capacity * sampleSize];
            this.labels = new float[capacity];
            this.indices = new int[capacity];
        }

        /** Samples in the batch; less than the capacity only for an epoch's final partial batch. */
        public int size() {
            return size;
        }

        /** The loader's batch size. */
        public int capacity() {
            return labels.length;
        }

        /** {@code capacity × C×H×W} normalised values; zero past {@link #size()}. Not a copy. */
        public float[] images() {
            return images;
        }

        /** Class indices as floats, as the softmax cross-entropy loss takes them; zero past {@link #size()}. */
        public float[] labels() {
            return labels;
        }

        /** Each sample's index in the dataset; −1 past {@link #size()}. */
        public int[] indices() {
            return indices;
        }
    }
}
