package io.jcnn.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jcnn.backend.Activation;
import io.jcnn.backend.ConvSpec;
import io.jcnn.backend.LrnSpec;
import io.jcnn.backend.PoolMode;
import io.jcnn.backend.PoolSpec;
import io.jcnn.model.AtomicFiles;
import io.jcnn.model.Sequential;
import io.jcnn.nn.ActivationLayer;
import io.jcnn.nn.BatchNorm2d;
import io.jcnn.nn.Conv2d;
import io.jcnn.nn.Dropout;
import io.jcnn.nn.Flatten;
import io.jcnn.nn.Layer;
import io.jcnn.nn.Linear;
import io.jcnn.nn.LocalResponseNorm;
import io.jcnn.nn.Param;
import io.jcnn.nn.AvgPool2d;
import io.jcnn.nn.MaxPool2d;
import io.jcnn.nn.Softmax;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a compiled {@link Sequential} as an ONNX model (opset {@value #OPSET}, IR version {@value #IR_VERSION}) that
 * runs its inference: one node per layer in NCHW float32, the parameters as initializers, the input named
 * {@value #INPUT} with the model's compiled shape and the output {@value #OUTPUT}. Metadata (for example the input
 * normalisation) goes into the model's {@code metadata_props}.
 *
 * <p>Layer by layer: {@link Conv2d} → Conv (strides, pads, dilations, group), {@link MaxPool2d} and {@link AvgPool2d}
 * → MaxPool and AveragePool (output size rounded down; average pooling counts padding, as jcnn does), {@link Linear} →
 * Gemm with transB (after a Flatten where its input has more than two dimensions), ReLU, LeakyReLU, Sigmoid and Tanh →
 * Relu, LeakyRelu, Sigmoid, Tanh, {@link Softmax} → Softmax or LogSoftmax over axis 1, {@link Flatten} → Flatten,
 * {@link LocalResponseNorm} → LRN (the same alpha/size convention), {@link BatchNorm2d} → BatchNormalization with the
 * running statistics (ONNX's momentum is 1 − jcnn's), {@link Dropout} → Dropout with its ratio (the identity at
 * inference).
 */
public final class OnnxExport {
    /** The operator set written: ONNX Runtime accepts it, and it holds every op above in its current form. */
    public static final int OPSET = 13;
    /** The IR version written (ONNX 1.10 and later read it). */
    public static final int IR_VERSION = 7;
    /** The graph input's name. */
    public static final String INPUT = "input";
    /** The graph output's name. */
    public static final String OUTPUT = "output";

    private OnnxExport() {
    }

    /**
     * Writes {@code model} to {@code file} atomically ({@link AtomicFiles}): the file appears whole or not at all, and
     * an existing file is replaced only once the new one is complete; missing parent directories are created.
     *
     * @throws IllegalArgumentException if the model is not compiled or holds a layer ONNX export does not know
     * @throws IOException if the file cannot be written (the message names it)
     */
    public static void write(Sequential model, Path file, Map<String, String> metadata) throws IOException {
        byte[] bytes = toBytes(model, metadata);
        try {
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            throw new IOException("cannot write ONNX model " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The serialised ONNX model of {@code model}.
     *
     * @throws IllegalArgumentException if the model is not compiled or holds a layer ONNX export does not know
     */
    public static byte[] toBytes(Sequential model, Map<String, String> metadata) {
        return toModel(model, metadata).toByteArray();
    }

    static ModelProto toModel(Sequential model, Map<String, String> metadata) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(metadata, "metadata");
        try {
            model.backend();
        } catch (IllegalStateException notCompiled) {
            throw new IllegalArgumentException("ONNX export of model '" + model.name()
                    + "': compile it first (the export needs its input shape and parameters)");
        }
        GraphProto.Builder graph = GraphProto.newBuilder().setName(model.name());
        graph.addInput(valueInfo(INPUT, model.inputShape()));
        String current = INPUT;
        Shape shape = model.inputShape();
        List<Layer> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            String out = i == layers.size() - 1 ? OUTPUT : layer.name();
            current = addLayer(graph, layer, shape, current, out);
            shape = layer.outputShape();
        }
        graph.addOutput(valueInfo(OUTPUT, model.outputShape()));
        ModelProto.Builder onnx = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("jcnn")
                .setModelVersion(1)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        for (Map.Entry<String, String> e : new LinkedHashMap<>(metadata).entrySet()) {
            onnx.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return onnx.build();
    }

    /** Adds {@code layer}'s nodes reading {@code in}; returns the name of what they write (out, or in for none). */
    private static String addLayer(GraphProto.Builder graph, Layer layer, Shape inShape, String in, String out) {
        String name = layer.name();
        if (layer instanceof Conv2d conv) {
            ConvSpec s = conv.spec();
            Shape w = conv.weight().value().shape();
            graph.addInitializer(tensor(name + ".weight", conv.weight().value()));
            List<String> inputs = conv.bias() != null ? List.of(in, name + ".weight", name + ".bias")
                    : List.of(in, name + ".weight");
            if (conv.bias() != null) {
                graph.addInitializer(tensor(name + ".bias", conv.bias().value()));
            }
            graph.addNode(node("Conv", name, inputs, out)
                    .addAttribute(ints("kernel_shape", w.dim(2), w.dim(3)))
                    .addAttribute(ints("strides", s.strideH(), s.strideW()))
                    .addAttribute(ints("pads", s.padH(), s.padW(), s.padH(), s.padW()))
                    .addAttribute(ints("dilations", s.dilationH(), s.dilationW()))
                    .addAttribute(integer("group", s.groups())));
        } else if (layer instanceof MaxPool2d || layer instanceof AvgPool2d) {
            PoolSpec s = layer instanceof MaxPool2d max ? max.spec() : ((AvgPool2d) layer).spec();
            NodeProto.Builder node = node(s.mode() == PoolMode.MAX ? "MaxPool" : "AveragePool", name, List.of(in), out)
                    .addAttribute(ints("kernel_shape", s.kernelH(), s.kernelW()))
                    .addAttribute(ints("strides", s.strideH(), s.strideW()))
                    .addAttribute(ints("pads", s.padH(), s.padW(), s.padH(), s.padW()));
            if (s.mode() != PoolMode.MAX) {
                node.addAttribute(integer("count_include_pad", 1));
            }
            graph.addNode(node);
        } else if (layer instanceof Linear linear) {
            String x = in;
            if (inShape.rank() > 2) {
                x = name + ".flat";
                graph.addNode(node("Flatten", name + ".flatten", List.of(in), x).addAttribute(integer("axis", 1)));
            }
            graph.addInitializer(tensor(name + ".weight", linear.weight().value()));
            List<String> inputs = List.of(x, name + ".weight");
            if (linear.bias() != null) {
                graph.addInitializer(tensor(name + ".bias", linear.bias().value()));
                inputs = List.of(x, name + ".weight", name + ".bias");
            }
            graph.addNode(node("Gemm", name, inputs, out).addAttribute(integer("transB", 1)));
        } else if (layer instanceof ActivationLayer act) {
            Activation a = act.activation();
            NodeProto.Builder node = switch (a.kind()) {
                case RELU -> node("Relu", name, List.of(in), out);
                case LEAKY_RELU -> node("LeakyRelu", name, List.of(in), out).addAttribute(real("alpha", a.alpha()));
                case SIGMOID -> node("Sigmoid", name, List.of(in), out);
                case TANH -> node("Tanh", name, List.of(in), out);
            };
            graph.addNode(node);
        } else if (layer instanceof Softmax softmax) {
            graph.addNode(node(softmax.isLog() ? "LogSoftmax" : "Softmax", name, List.of(in), out)
                    .addAttribute(integer("axis", 1)));
        } else if (layer instanceof Flatten) {
            graph.addNode(node("Flatten", name, List.of(in), out).addAttribute(integer("axis", 1)));
        } else if (layer instanceof LocalResponseNorm lrn) {
            LrnSpec s = lrn.spec();
            graph.addNode(node("LRN", name, List.of(in), out)
                    .addAttribute(integer("size", s.size()))
                    .addAttribute(real("alpha", s.alpha()))
                    .addAttribute(real("beta", s.beta()))
                    .addAttribute(real("bias", s.k())));
        } else if (layer instanceof BatchNorm2d bn) {
            List<Tensor> running = bn.buffers();
            graph.addInitializer(tensor(name + ".gamma", bn.gamma().value()));
            graph.addInitializer(tensor(name + ".beta", bn.beta().value()));
            graph.addInitializer(tensor(name + ".running_mean", running.get(0)));
            graph.addInitializer(tensor(name + ".running_var", running.get(1)));
            graph.addNode(node("BatchNormalization", name, List.of(in, name + ".gamma", name + ".beta",
                    name + ".running_mean", name + ".running_var"), out)
                    .addAttribute(real("epsilon", bn.epsilon()))
                    // ONNX weighs the running statistics by momentum, jcnn the batch's.
                    .addAttribute(real("momentum", 1f - bn.momentum())));
        } else if (layer instanceof Dropout dropout) {
            // The identity at inference; the ratio travels as the optional second input, for training after import.
            graph.addInitializer(TensorProto.newBuilder().setName(name + ".ratio")
                    .setDataType(TensorProto.DataType.FLOAT.getNumber()).addFloatData(dropout.rate()));
            graph.addNode(node("Dropout", name, List.of(in, name + ".ratio"), out));
        } else {
            throw new IllegalArgumentException("ONNX export: layer '" + name + "' is a "
                    + layer.getClass().getSimpleName()
                    + ", which has no ONNX mapping; exportable: Conv2d, MaxPool2d, AvgPool2d, Linear, ReLU, LeakyReLU,"
                    + " Sigmoid, Tanh, Softmax, Flatten, LocalResponseNorm, BatchNorm2d, Dropout");
        }
        return out;
    }

    private static NodeProto.Builder node(String op, String name, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    /** A float32 initializer holding {@code t}'s values, as raw little-endian bytes. */
    private static TensorProto tensor(String name, Tensor t) {
        float[] values = t.toArray();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * values.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        TensorProto.Builder p = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(com.google.protobuf.ByteString.copyFrom(bytes.array()));
        for (int d = 0; d < t.shape().rank(); d++) {
            p.addDims(t.shape().dim(d));
        }
        return p.build();
    }

    private static ValueInfoProto valueInfo(String name, Shape shape) {
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
        for (int d = 0; d < shape.rank(); d++) {
            dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(shape.dim(d)));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(dims))).build();
    }
}
