package io.jcnn.data;

/**
 * Random changes to training images that keep their label, drawn afresh every epoch. Areas uncovered by a crop, shift,
 * rotation or shrink are zero pixels (black, the background of digits).
 *
 * <p>Shifts, crops and flips move whole pixels, so the image keeps its exact values. A rotation or scaling resamples
 * it: each output pixel takes the bilinear interpolation of the four source pixels around the point that maps onto
 * it (rotation and scaling about the image's centre, then the shift). The angle and scale come from the same
 * counter-based random stream as the shift, and the trigonometry is {@link StrictMath}'s, so the images are the same
 * bits on every machine and JVM.
 *
 * @param cropPadding        random crop: pad by this many zero pixels on every side, then cut a window of the original
 *                           size at a random offset (CIFAR-10's usual 4); 0 for none
 * @param maxShift           random shift: move the image by up to this many pixels in x and in y independently; 0 for
 *                           none
 * @param horizontalFlip     mirror left-right with probability ½; right for photos, wrong for digits and text
 * @param maxRotationDegrees random rotation by an angle drawn uniformly from ±this many degrees; 0 for none
 * @param maxScaleChange     random scaling by a factor drawn uniformly from 1 ± this fraction; 0 for none
 */
public record Augmentation(int cropPadding, int maxShift, boolean horizontalFlip, double maxRotationDegrees,
                           double maxScaleChange) {
    /** No augmentation: every image as stored. */
    public static final Augmentation NONE = new Augmentation(0, 0, false);

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException if {@code cropPadding} or {@code maxShift} is negative, the rotation is not
     *                                  within 0 … 180 degrees, or the scale change not within 0 … 0.5
     */
    public Augmentation {
        if (cropPadding < 0 || maxShift < 0) {
            throw new IllegalArgumentException("augmentation: crop padding and shift must be >= 0, got "
                    + cropPadding + " and " + maxShift);
        }
        if (!(maxRotationDegrees >= 0 && maxRotationDegrees <= 180)) {
            throw new IllegalArgumentException("augmentation: rotation must be 0 to 180 degrees, got "
                    + maxRotationDegrees);
        }
        if (!(maxScaleChange >= 0 && maxScaleChange <= 0.5)) {
            throw new IllegalArgumentException("augmentation: scale change must be 0 to 0.5, got " + maxScaleChange);
        }
    }

    /** Whole-pixel changes only: crop, shift and flip, no rotation or scaling. */
    public Augmentation(int cropPadding, int maxShift, boolean horizontalFlip) {
        this(cropPadding, maxShift, horizontalFlip, 0, 0);
    }

    /** Whether any image changes. */
    public boolean isActive() {
        return cropPadding > 0 || maxShift > 0 || horizontalFlip || resamples();
    }

    /** Whether images are rotated or scaled, and so resampled. */
    boolean resamples() {
        return maxRotationDegrees > 0 || maxScaleChange > 0;
    }

    /**
     * The largest offset either way: a random crop with padding p is a shift by up to p (with zero fill), so both
     * draw a single offset per axis in [−range, range].
     */
    int range() {
        return Math.max(cropPadding, maxShift);
    }
}
