package io.jcnn.model;

import io.jcnn.backend.ConvSpec;
import io.jcnn.init.Initializer;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Linear;
import io.jcnn.nn.MaxPool2d;
import io.jcnn.nn.ReLU;

/** Reference network definitions. */
public final class Models {
    private Models() {
    }

    /**
     * LeNet-5 as in Caffe's MNIST example, for 1×28×28 input and 10 classes: conv 20@5×5, max pool 2/2,
     * conv 50@5×5, max pool 2/2, dense 500 + ReLU, dense 10 (logits). Xavier initialisation, as Caffe's.
     */
    public static Sequential lenet() {
        Initializer xavier = Initializer.xavierUniform();
        return new Sequential("lenet",
                new Conv2d("conv1", 20, 5, 5, ConvSpec.defaults(), true, xavier),
                new MaxPool2d("pool1", 2, 2),
                new Conv2d("conv2", 50, 5, 5, ConvSpec.defaults(), true, xavier),
                new MaxPool2d("pool2", 2, 2),
                new Linear("ip1", 500, true, xavier),
                new ReLU("relu1"),
                new Linear("ip2", 10, true, xavier));
    }
}
