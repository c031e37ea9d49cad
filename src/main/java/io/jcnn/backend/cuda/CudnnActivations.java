package io.jcnn.backend.cuda;

import io.jcnn.backend.Activation;
import io.jcnn.tensor.Shape;
import java.util.EnumMap;
import java.util.Map;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnActivationMode;
import jcuda.jcudnn.cudnnNanPropagation;
import jcuda.jcudnn.cudnnSoftmaxAlgorithm;
import jcuda.jcudnn.cudnnSoftmaxMode;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * Activations and softmax on the cuDNN tier. ReLU, sigmoid and tanh have cuDNN modes, described once; leaky ReLU
 * has none and stays on jcnn's kernel. Softmax is cuDNN's accurate (max-subtracted) or log softmax over each batch
 * item's values. A NaN input to ReLU gives 0, as on the CPU.
 */
final class CudnnActivations implements AutoCloseable {
    private final Cudnn cudnn;
    private final Map<Activation.Kind, cudnnActivationDescriptor> modes = new EnumMap<>(Activation.Kind.class);

    CudnnActivations(Cudnn cudnn) {
        this.cudnn = cudnn;
        try {
            describe(Activation.Kind.RELU, cudnnActivationMode.CUDNN_ACTIVATION_RELU);
            describe(Activation.Kind.SIGMOID, cudnnActivationMode.CUDNN_ACTIVATION_SIGMOID);
            describe(Activation.Kind.TANH, cudnnActivationMode.CUDNN_ACTIVATION_TANH);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void describe(Activation.Kind kind, int mode) {
        cudnnActivationDescriptor d = new cudnnActivationDescriptor();
        Cudnn.check(JCudnn.cudnnCreateActivationDescriptor(d), "cudnnCreateActivationDescriptor", kind.name());
        modes.put(kind, d);
        Cudnn.check(JCudnn.cudnnSetActivationDescriptor(d, mode, cudnnNanPropagation.CUDNN_NOT_PROPAGATE_NAN, 0.0),
                "cudnnSetActivationDescriptor", kind.name());
    }

    /** Whether cuDNN has this activation. */
    boolean supports(Activation activation) {
        return modes.containsKey(activation.kind());
    }

    void forward(Activation activation, Shape shape, CUdeviceptr x, CUdeviceptr y) {
        cudnnTensorDescriptor d = cudnn.describe(shape);
        Cudnn.check(JCudnn.cudnnActivationForward(cudnn.handle, modes.get(activation.kind()), Cudnn.ONE, d, x,
                Cudnn.ZERO, d, y), "cudnnActivationForward", activation.kind() + " of " + shape);
    }

    void backward(Activation activation, Shape shape, CUdeviceptr x, CUdeviceptr y, CUdeviceptr dy,
                  CUdeviceptr dx) {
        cudnnTensorDescriptor d = cudnn.describe(shape);
        Cudnn.check(JCudnn.cudnnActivationBackward(cudnn.handle, modes.get(activation.kind()), Cudnn.ONE, d, y, d,
                dy, d, x, Cudnn.ZERO, d, dx), "cudnnActivationBackward", activation.kind() + " of " + shape);
    }

    void softmaxForward(Shape shape, CUdeviceptr x, CUdeviceptr y, boolean log) {
        cudnnTensorDescriptor d = cudnn.describe(shape);
        Cudnn.check(JCudnn.cudnnSoftmaxForward(cudnn.handle, algorithm(log), cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_INSTANCE,
                Cudnn.ONE, d, x, Cudnn.ZERO, d, y), "cudnnSoftmaxForward", shape.toString());
    }

    void softmaxBackward(Shape shape, CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx, boolean log) {
        cudnnTensorDescriptor d = cudnn.describe(shape);
        Cudnn.check(JCudnn.cudnnSoftmaxBackward(cudnn.handle, algorithm(log),
                cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_INSTANCE, Cudnn.ONE, d, y, d, dy, Cudnn.ZERO, d, dx),
                "cudnnSoftmaxBackward", shape.toString());
    }

    private static int algorithm(boolean log) {
        return log ? cudnnSoftmaxAlgorithm.CUDNN_SOFTMAX_LOG : cudnnSoftmaxAlgorithm.CUDNN_SOFTMAX_ACCURATE;
    }

    @Override
    public void close() {
        modes.values().forEach(JCudnn::cudnnDestroyActivationDescriptor);
        modes.clear();
    }
}
