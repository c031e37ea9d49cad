package io.jcnn.model;

import io.jcnn.backend.Backend;
import io.jcnn.data.DataLoader;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/**
 * Double-buffered device copies of training batches: the next batch is uploaded into one pair of tensors while the
 * current step reads the other, so on a GPU its copy overlaps the step's kernels (backends order the copy after the
 * kernels still reading its target). Each slot keeps its batch's size and labels on the host too, because the loader
 * may reuse a batch's arrays once the next one is taken.
 */
final class BatchUploads implements AutoCloseable {
    /** One uploaded batch. */
    static final class Slot {
        private final Tensor images;
        private final Tensor labels;
        private final float[] hostLabels;
        private int size;

        private Slot(Backend backend, Shape images, Shape labels) {
            this.images = backend.allocate(images);
            this.labels = backend.allocate(labels);
            this.hostLabels = new float[labels.size()];
        }

        Tensor images() {
            return images;
        }

        Tensor labels() {
            return labels;
        }

        /** The labels as uploaded (the first {@link #size()} are real samples). */
        float[] hostLabels() {
            return hostLabels;
        }

        int size() {
            return size;
        }
    }

    private final Slot[] slots = new Slot[2];
    private int staged = -1;
    private int current = 1;

    BatchUploads(Backend backend, Shape images, Shape labels) {
        slots[0] = new Slot(backend, images, labels);
        try {
            slots[1] = new Slot(backend, images, labels);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Uploads {@code batch} into the slot the current step does not use; it becomes current at {@link #next()}. */
    void stage(DataLoader.Batch batch) {
        stage(batch.images(), batch.labels(), batch.size());
    }

    /** As {@link #stage(DataLoader.Batch)}, for a batch of {@code size} samples held in these arrays. */
    void stage(float[] images, float[] labels, int size) {
        if (staged >= 0) {
            throw new IllegalStateException("a batch is already staged");
        }
        Slot slot = slots[1 - current];
        slot.images.copyFrom(images);
        slot.labels.copyFrom(labels);
        System.arraycopy(labels, 0, slot.hostLabels, 0, slot.hostLabels.length);
        slot.size = size;
        staged = 1 - current;
    }

    /** Whether a staged batch waits for {@link #next()}. */
    boolean hasNext() {
        return staged >= 0;
    }

    /** The staged batch, now current; its tensors stay untouched until the batch after next is staged. */
    Slot next() {
        if (staged < 0) {
            throw new IllegalStateException("no batch is staged");
        }
        current = staged;
        staged = -1;
        return slots[current];
    }

    @Override
    public void close() {
        for (Slot slot : slots) {
            if (slot != null) {
                slot.images.close();
                slot.labels.close();
            }
        }
    }
}
