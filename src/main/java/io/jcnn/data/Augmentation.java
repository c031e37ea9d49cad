package io.jcnn.data;

/**
 * Random changes to training images that keep their label, drawn afresh every epoch. Areas uncovered by a crop or
 * shift are zero pixels (black, the background of digits).
 *
 * @param cropPadding    random crop: pad by this many zero pixels on every side, then cut a window of the original
 *                       size at a random offset (CIFAR-10's usual 4); 0 for none
 * @param maxShift       random shift: move the image by up to this many pixels in x and in y independently; 0 for
 *                       none
 * @param horizontalFlip mirror left-right with probability ½; right for photos, wrong for digits and text
 */
public record Augmentation(int cropPadding, int maxShift, boolean horizontalFlip) {
    /** No augmentation: every image as stored. */
    public static final Augmentation NONE = new Augmentation(0, 0, false);

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException if {@code cropPadding} or {@code maxShift} is negative
     */
    public Augmentation {
        if (cropPadding < 0 || maxShift < 0) {
            throw new IllegalArgumentException("augmentation: crop padding and shift must be >= 0, got "
                    + cropPadding + " and " + maxShift);
        }
    }

    /** Whether any image changes. */
    public boolean isActive() {
        return cropPadding > 0 || maxShift > 0 || horizontalFlip;
    }

    /**
     * The largest offset either way: a random crop with padding p is a shift by up to p (with zero fill), so both
     * draw a single offset per axis in [−range, range].
     */
    int range() {
        return Math.max(cropPadding, maxShift);
    }
}
