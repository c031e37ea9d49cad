package io.jcnn.data;

import java.util.Objects;

/** A dataset's training and test parts, which must hold images of the same size and the same classes. */
public record DatasetSplit(Dataset train, Dataset test) {

    /**
     * Checks that both parts are present and compatible.
     *
     * @throws NullPointerException if either part is null
     * @throws IllegalArgumentException if they differ in image size or number of classes
     */
    public DatasetSplit {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.channels() != test.channels() || train.height() != test.height() || train.width() != test.width()
                || train.classes() != test.classes()) {
            throw new IllegalArgumentException("train set " + train + " and test set " + test
                    + " differ in image size or classes");
        }
    }
}
