package io.jcnn.onnx;

import static io.jcnn.onnx.OnnxAttributes.checkedInt;
import static io.jcnn.onnx.OnnxAttributes.floatAttribute;
import static io.jcnn.onnx.OnnxAttributes.intAttribute;
import static io.jcnn.onnx.OnnxAttributes.intsAttribute;
import static io.jcnn.onnx.OnnxAttributes.pair;
import static io.jcnn.onnx.OnnxAttributes.rejectAutoPad;
import static io.jcnn.onnx.OnnxAttributes.symmetricPads;
import static io.jcnn.onnx.OnnxImport.MAX_TENSOR_ELEMENTS;
import static io.jcnn.onnx.OnnxImport.SUPPORTED;
import static io.jcnn.onnx.OnnxImport.describe;
import static io.jcnn.onnx.OnnxImport.printable;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.jcnn.backend.ConvGeometry;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.LrnSpec;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolGeometry;
import io.jcnn.backend.PoolSpec;
import io.jcnn.init.Initializer;
import io.jcnn.nn.AvgPool2d;
import io.jcnn.nn.BatchNorm2d;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Dropout;
import io.jcnn.nn.Flatten;
import io.jcnn.nn.Layer;
import io.jcnn.nn.LeakyReLU;
import io.jcnn.nn.Linear;
import io.jcnn.nn.LocalResponseNorm;
import io.jcnn.nn.MaxPool2d;
import io.jcnn.nn.ReLU;
import io.jcnn.nn.Sigmoid;
import io.jcnn.nn.Softmax;
import io.jcnn.nn.Tanh;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layers an ONNX graph's chain of nodes becomes, built node by node with the shape each reads checked, and the
 * weights each takes once the model is compiled.
 */
final class OnnxChain {
    final List<Layer> layers = new ArrayList<>();
    private final Map<String, TensorProto> initializers;
    private final Map<String, TensorProto> constants = new HashMap<>();
    private final List<Runnable> loads = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    /** The shape the next layer reads. */
    private Shape shape;

    OnnxChain(Map<String, TensorProto> initializers, Shape input) {
        this.initializers = initializers;
        this.shape = input;
    }

    /** The next layer reads {@code next}, which must not exceed {@link #MAX_TENSOR_ELEMENTS}. */
    private void output(Shape next, String where) {
        if (next.size() > MAX_TENSOR_ELEMENTS) {
            throw new IllegalArgumentException(where + ": its output " + next + " holds more than "
                    + MAX_TENSOR_ELEMENTS + " floats, more than import reads");
        }
        shape = next;
    }

    private void flat(String where) {
        output(Shape.of(shape.batch(), shape.sampleSize()), where);
    }

    void constant(NodeProto node) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals("value") && a.hasT()) {
                constants.put(node.getOutput(0), a.getT());
                return;
            }
        }
        throw new IllegalArgumentException("ONNX import: Constant '" + printable(node.getName())
                + "' holds no tensor value; Constant nodes with a tensor 'value' are supported");
    }

    /** Adds {@code node}'s layer; returns true when it also took {@code next} (MatMul's bias Add). */
    boolean add(NodeProto node, int index, NodeProto next) {
        String name = uniqueName(node, index);
        String where = describe(node, index);
        switch (node.getOpType()) {
            case "Conv" -> conv(node, name, where);
            case "MaxPool", "AveragePool" -> pool(node, name, where);
            case "Gemm" -> gemm(node, name, where);
            case "MatMul" -> {
                return matMul(node, name, where, next);
            }
            case "Relu" -> layers.add(new ReLU(name));
            case "LeakyRelu" -> layers.add(new LeakyReLU(name, floatAttribute(node, "alpha", 0.01f)));
            case "Sigmoid" -> layers.add(new Sigmoid(name));
            case "Tanh" -> layers.add(new Tanh(name));
            case "Softmax", "LogSoftmax" -> {
                long axis = intAttribute(node, "axis", -1);
                if (axis != 1 && axis != -1 || shape.rank() != 2) {
                    throw new IllegalArgumentException(where + ": axis " + axis
                            + " is not supported; softmax over axis 1 of N×F is");
                }
                layers.add(new Softmax(name, node.getOpType().equals("LogSoftmax")));
            }
            case "Flatten" -> {
                if (intAttribute(node, "axis", 1) != 1) {
                    throw new IllegalArgumentException(where + ": only axis 1 is supported");
                }
                layers.add(new Flatten(name));
                flat(where);
            }
            case "Reshape" -> reshape(node, name, where);
            case "LRN" -> layers.add(new LocalResponseNorm(name, new LrnSpec((int) intAttribute(node, "size", 0),
                    floatAttribute(node, "alpha", 1e-4f), floatAttribute(node, "beta", 0.75f),
                    floatAttribute(node, "bias", 1f))));
            case "BatchNormalization" -> batchNorm(node, name, where);
            case "Dropout" -> {
                float ratio = node.getInputCount() > 1 && !node.getInput(1).isEmpty()
                        ? floats(node.getInput(1), where)[0] : 0.5f;
                layers.add(new Dropout(name, ratio));
            }
            case "Identity" -> {
                // No layer: the chain continues from its output.
            }
            default -> throw new IllegalArgumentException(where + " is not supported; supported ops: "
                    + SUPPORTED);
        }
        return false;
    }

    private String uniqueName(NodeProto node, int index) {
        String base = node.getName().isBlank() ? printable(node.getOpType()).toLowerCase() + index
                : printable(node.getName());
        String name = base;
        for (int k = 2; !names.add(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }

    private void conv(NodeProto node, String name, String where) {
        TensorProto w = initializer(node, 1, where);
        if (w.getDimsCount() != 4) {
            throw new IllegalArgumentException(where + ": the weight must be 4-D (M×C/group×kH×kW)");
        }
        rejectAutoPad(node, where);
        long[] strides = pair(node, "strides", where);
        long[] dilations = pair(node, "dilations", where);
        long[] pads = symmetricPads(node, where);
        long group = intAttribute(node, "group", 1);
        boolean bias = node.getInputCount() > 2 && !node.getInput(2).isEmpty();
        ConvSpec spec = new ConvSpec(checkedInt(strides[0], where), checkedInt(strides[1], where),
                checkedInt(pads[0], where), checkedInt(pads[1], where), checkedInt(dilations[0], where),
                checkedInt(dilations[1], where), checkedInt(group, where));
        Shape filter = Shape.of(checkedInt(w.getDims(0), where), checkedInt(w.getDims(1), where),
                checkedInt(w.getDims(2), where), checkedInt(w.getDims(3), where));
        output(ConvGeometry.of(where, shape, filter, spec).output(), where);
        Conv2d conv = new Conv2d(name, filter.dim(0), filter.dim(2), filter.dim(3), spec, bias,
                Initializer.heNormal());
        layers.add(conv);
        float[] weights = floats(node.getInput(1), where);
        float[] biases = bias ? floats(node.getInput(2), where) : null;
        loads.add(() -> {
            load(conv.weight().value(), weights, where + " weight");
            if (biases != null) {
                load(conv.bias().value(), biases, where + " bias");
            }
        });
    }

    private void pool(NodeProto node, String name, String where) {
        rejectAutoPad(node, where);
        if (intAttribute(node, "ceil_mode", 0) != 0) {
            throw new IllegalArgumentException(where + ": ceil_mode 1 is not supported; output sizes round down");
        }
        long[] kernel = intsAttribute(node, "kernel_shape");
        if (kernel == null || kernel.length != 2) {
            throw new IllegalArgumentException(where + ": a 2-D kernel_shape is required");
        }
        long[] strides = pair(node, "strides", where);
        long[] pads = symmetricPads(node, where);
        boolean max = node.getOpType().equals("MaxPool");
        if (!max && (pads[0] > 0 || pads[1] > 0) && intAttribute(node, "count_include_pad", 0) != 1) {
            throw new IllegalArgumentException(where + ": padded average pooling without count_include_pad is"
                    + " not supported; jcnn divides by the whole window, padding included");
        }
        PoolSpec spec = new PoolSpec(max ? PoolMode.MAX : PoolMode.AVERAGE, checkedInt(kernel[0], where),
                checkedInt(kernel[1], where), checkedInt(strides[0], where), checkedInt(strides[1], where),
                checkedInt(pads[0], where), checkedInt(pads[1], where));
        output(PoolGeometry.of(where, shape, spec).output(), where);
        layers.add(max ? new MaxPool2d(name, spec) : new AvgPool2d(name, spec));
    }

    private void gemm(NodeProto node, String name, String where) {
        if (floatAttribute(node, "alpha", 1f) != 1f || floatAttribute(node, "beta", 1f) != 1f
                || intAttribute(node, "transA", 0) != 0) {
            throw new IllegalArgumentException(where + ": only alpha 1, beta 1 and transA 0 are supported");
        }
        TensorProto b = initializer(node, 1, where);
        boolean transB = intAttribute(node, "transB", 0) == 1;
        float[] weights = floats(node.getInput(1), where);
        float[] biases = node.getInputCount() > 2 && !node.getInput(2).isEmpty()
                ? floats(node.getInput(2), where) : null;
        dense(name, where, b, transB, weights, biases);
    }

    private boolean matMul(NodeProto node, String name, String where, NodeProto next) {
        TensorProto b = initializer(node, 1, where);
        float[] weights = floats(node.getInput(1), where);
        boolean takesAdd = next != null && next.getOpType().equals("Add") && next.getInputCount() == 2
                && next.getOutputCount() > 0
                && next.getInput(0).equals(node.getOutput(0)) && isConstant(next.getInput(1));
        float[] biases = takesAdd ? floats(next.getInput(1), where + " bias Add") : null;
        dense(name, where, b, false, weights, biases);
        return takesAdd;
    }

    /** A dense layer from B (in×out, or out×in where transposed) and an optional bias of out floats. */
    private void dense(String name, String where, TensorProto b, boolean transposed, float[] weights,
                       float[] biases) {
        if (b.getDimsCount() != 2) {
            throw new IllegalArgumentException(where + ": the weight must be 2-D");
        }
        int out = checkedInt(transposed ? b.getDims(0) : b.getDims(1), where);
        int in = checkedInt(transposed ? b.getDims(1) : b.getDims(0), where);
        if (in != shape.sampleSize()) {
            throw new IllegalArgumentException(where + ": the weight takes " + in + " features but the layer"
                    + " before gives " + shape.sampleSize() + " (" + shape + ")");
        }
        output(Shape.of(shape.batch(), out), where);
        float[] outByIn = weights;
        if (!transposed) {
            outByIn = new float[weights.length];
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    outByIn[o * in + i] = weights[i * out + o];
                }
            }
        }
        Linear linear = new Linear(name, out, biases != null, Initializer.xavierUniform());
        layers.add(linear);
        float[] w = outByIn;
        loads.add(() -> {
            load(linear.weight().value(), w, where + " weight");
            if (biases != null) {
                load(linear.bias().value(), biases, where + " bias");
            }
        });
    }

    private void reshape(NodeProto node, String name, String where) {
        if (node.getInputCount() < 2) {
            throw new IllegalArgumentException(where + ": the shape input is missing");
        }
        long[] shape = longs(node.getInput(1), where);
        if (shape.length != 2 || !(shape[1] == -1 || shape[1] > 0)) {
            throw new IllegalArgumentException(where + ": only a reshape to N×features (a flatten) is supported,"
                    + " got shape " + java.util.Arrays.toString(shape));
        }
        layers.add(new Flatten(name));
        flat(where);
    }

    private void batchNorm(NodeProto node, String name, String where) {
        if (node.getInputCount() != 5) {
            throw new IllegalArgumentException(where + ": scale, bias, mean and variance inputs are required");
        }
        BatchNorm2d bn = new BatchNorm2d(name, 1f - floatAttribute(node, "momentum", 0.9f),
                floatAttribute(node, "epsilon", 1e-5f));
        layers.add(bn);
        float[] gamma = floats(node.getInput(1), where);
        float[] beta = floats(node.getInput(2), where);
        float[] mean = floats(node.getInput(3), where);
        float[] variance = floats(node.getInput(4), where);
        loads.add(() -> {
            load(bn.gamma().value(), gamma, where + " scale");
            load(bn.beta().value(), beta, where + " bias");
            load(bn.buffers().get(0), mean, where + " mean");
            load(bn.buffers().get(1), variance, where + " variance");
        });
    }

    void loadWeights() {
        loads.forEach(Runnable::run);
    }

    private static void load(Tensor target, float[] values, String what) {
        if (target.shape().size() != values.length) {
            throw new IllegalArgumentException(what + ": " + values.length + " values for a tensor of "
                    + target.shape());
        }
        target.copyFrom(values);
    }

    private boolean isConstant(String name) {
        return initializers.containsKey(name) || constants.containsKey(name);
    }

    private TensorProto initializer(NodeProto node, int input, String where) {
        if (node.getInputCount() <= input || !isConstant(node.getInput(input))) {
            throw new IllegalArgumentException(where + ": input " + input
                    + " must be an initializer or Constant (weights computed in the graph are not supported)");
        }
        String name = node.getInput(input);
        return initializers.containsKey(name) ? initializers.get(name) : constants.get(name);
    }

    private float[] floats(String name, String where) {
        TensorProto t = initializers.containsKey(name) ? initializers.get(name) : constants.get(name);
        if (t == null) {
            throw new IllegalArgumentException(where + ": '" + printable(name)
                    + "' is not an initializer or Constant");
        }
        if (t.getDataType() != TensorProto.DataType.FLOAT.getNumber()) {
            throw new IllegalArgumentException(where + ": tensor '" + printable(name) + "' has data type "
                    + t.getDataType() + "; float32 (1) is supported");
        }
        if (t.hasRawData() && !t.getRawData().isEmpty()) {
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (raw.remaining() % 4 != 0) {
                throw new IllegalArgumentException(where + ": tensor '" + printable(name) + "' has "
                        + raw.remaining()
                        + " bytes of raw data, not a whole number of floats");
            }
            float[] v = new float[raw.remaining() / 4];
            raw.asFloatBuffer().get(v);
            return checkCount(t, v, where);
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return checkCount(t, v, where);
    }

    private static float[] checkCount(TensorProto t, float[] v, String where) {
        long expected = 1;
        for (long d : t.getDimsList()) {
            expected *= d;
        }
        if (expected != v.length) {
            throw new IllegalArgumentException(where + ": tensor '" + printable(t.getName()) + "' holds " + v.length
                    + " values for dimensions " + t.getDimsList());
        }
        return v;
    }

    private long[] longs(String name, String where) {
        TensorProto t = initializers.containsKey(name) ? initializers.get(name) : constants.get(name);
        if (t == null || t.getDataType() != TensorProto.DataType.INT64.getNumber()) {
            throw new IllegalArgumentException(where + ": the shape '" + printable(name)
                    + "' must be an int64 initializer or Constant");
        }
        if (t.hasRawData() && !t.getRawData().isEmpty()) {
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long[] v = new long[raw.remaining() / 8];
            raw.asLongBuffer().get(v);
            return v;
        }
        return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
    }
}
