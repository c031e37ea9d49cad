package io.jcnn.model;

import io.jcnn.data.DataLoader;
import io.jcnn.data.Dataset;
import io.jcnn.tensor.Shape;

/** Checks that a compiled classifier and a data loader fit each other, with messages that name both shapes. */
final class ClassifierShapes {
    private ClassifierShapes() {
    }

    /** The model's input shape, after checking that it is batch × the loader's sample shape. */
    static Shape checkInput(Sequential model, DataLoader data, String what) {
        return checkInput(model, data, data.batchSize(), what);
    }

    /** As {@link #checkInput(Sequential, DataLoader, String)} for a model that takes {@code batch} samples at once. */
    static Shape checkInput(Sequential model, DataLoader data, int batch, String what) {
        Shape input = model.inputShape();
        if (input == null) {
            throw new IllegalStateException(what + ": model '" + model.name() + "' is not compiled yet");
        }
        Dataset set = data.dataset();
        Shape expected = Shape.of(batch, set.channels(), set.height(), set.width());
        if (!input.equals(expected)) {
            throw new IllegalArgumentException(what + ": model '" + model.name() + "' is compiled for input " + input
                    + " but dataset '" + set.name() + "' in batches of " + batch + " gives " + expected);
        }
        return input;
    }

    /** The number of classes, after checking the model outputs batch × classes logits. */
    static int classes(Sequential model, DataLoader data, String what) {
        Shape output = model.outputShape();
        int classes = data.dataset().classes();
        if (output.rank() != 2 || output.dim(1) != classes) {
            throw new IllegalArgumentException(what + ": model '" + model.name() + "' outputs " + output
                    + " but dataset '" + data.dataset().name() + "' has " + classes + " classes; expected "
                    + output.dim(0) + "×" + classes + " logits");
        }
        return classes;
    }
}
