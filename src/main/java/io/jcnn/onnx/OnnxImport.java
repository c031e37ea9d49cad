package io.jcnn.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jcnn.backend.Backend;
import io.jcnn.model.Sequential;
import io.jcnn.nn.Dropout;
import io.jcnn.nn.Flatten;
import io.jcnn.nn.Sigmoid;
import io.jcnn.nn.Softmax;
import io.jcnn.nn.Tanh;
import io.jcnn.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads an ONNX model whose graph is a chain of the ops {@link OnnxExport} writes, plus the forms PyTorch's exporter
 * uses for the same layers (MatMul then Add for a dense layer, Reshape to N×features for a flatten, Identity), into a
 * {@link Sequential} compiled on a backend with the file's weights. The input must have a fixed N×C×H×W (or N×F)
 * float32 shape; opsets {@value #MIN_OPSET} to {@value #MAX_OPSET}.
 *
 * <p>Anything else fails with an {@link IllegalArgumentException} whose one line names the node, its op type and
 * what is supported; a file that is not an ONNX model fails with an {@link IOException}. Nothing is built or left
 * allocated on failure.
 */
public final class OnnxImport {
    /** The oldest default-domain opset read. */
    public static final int MIN_OPSET = 11;
    /** The newest default-domain opset read. */
    public static final int MAX_OPSET = 21;
    /**
     * The most floats the input or any layer's output may hold (128 MiB): a few bytes of a hostile file can declare
     * shapes that would exhaust any heap, so sizes are checked before anything is allocated.
     */
    public static final int MAX_TENSOR_ELEMENTS = 1 << 25;
    static final String SUPPORTED = "Conv, MaxPool, AveragePool, Gemm, MatMul (+ Add), Relu, LeakyRelu,"
            + " Sigmoid, Tanh, Softmax, LogSoftmax, Flatten, Reshape (to N×features), LRN, BatchNormalization,"
            + " Dropout, Identity";

    private OnnxImport() {
    }

    /**
     * A model read from an ONNX file, with what the file says about itself.
     *
     * @param model    the model, compiled, with the file's weights; the caller closes it
     * @param metadata the file's metadata properties (such as {@code jcnn.normalization.mean} in a file jcnn wrote)
     * @param producer the tool that wrote the file and its version, such as {@code "pytorch 2.5.1"}; empty if unnamed
     * @param opset    the default domain's opset
     */
    public record Imported(Sequential model, Map<String, String> metadata, String producer, long opset) {
        /**
         * Copies the metadata.
         *
         * @throws NullPointerException if an argument is null
         */
        public Imported {
            Objects.requireNonNull(model, "model");
            metadata = Map.copyOf(metadata);
            Objects.requireNonNull(producer, "producer");
        }
    }

    /**
     * Reads {@code file} and compiles its model on {@code backend}, with the file's weights. The model is named after
     * the graph, or after the file where the graph has no name.
     *
     * @throws IOException if the file cannot be read or is not an ONNX model
     * @throws IllegalArgumentException if the model uses an op, attribute, opset, type or shape outside what is read
     */
    public static Sequential read(Path file, Backend backend) throws IOException {
        return read(file, backend, null).model();
    }

    /**
     * Reads {@code file} as {@link #read(Path, Backend)} does, naming the model {@code name} (the graph's or the
     * file's name when null), and returns it with the file's metadata.
     *
     * @throws IOException if the file cannot be read or is not an ONNX model
     * @throws IllegalArgumentException if the model uses an op, attribute, opset, type or shape outside what is read,
     *     or {@code name} is blank
     */
    public static Imported read(Path file, Backend backend, String name) throws IOException {
        Objects.requireNonNull(backend, "backend");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read ONNX model " + file + ": " + e.getMessage(), e);
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + " is not an ONNX model (or is truncated): " + e.getMessage(), e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new IOException(file + " is not an ONNX model: it holds no graph nodes");
        }
        String graphName = model.getGraph().getName();
        String modelName = name != null ? name : graphName.isBlank()
                ? file.getFileName().toString().replaceFirst("\\.onnx$", "") : graphName;
        Sequential sequential = build(model, backend, modelName);
        Map<String, String> metadata = new LinkedHashMap<>();
        model.getMetadataPropsList().forEach(p -> metadata.put(p.getKey(), p.getValue()));
        String producer = (model.getProducerName() + " " + model.getProducerVersion()).strip();
        return new Imported(sequential, metadata, producer, opset(model));
    }

    /** Builds {@code model}'s layers as a model called {@code name}, compiled on {@code backend}. */
    static Sequential build(ModelProto model, Backend backend, String name) {
        checkOpset(model);
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        ValueInfoProto input = null;
        for (ValueInfoProto v : graph.getInputList()) {
            if (!initializers.containsKey(v.getName())) {
                if (input != null) {
                    throw new IllegalArgumentException("ONNX import: the graph has more than one input ('"
                            + printable(input.getName()) + "', '" + printable(v.getName())
                            + "'); one image input is supported");
                }
                input = v;
            }
        }
        if (input == null) {
            throw new IllegalArgumentException("ONNX import: the graph has no input besides its initializers");
        }
        Shape inputShape = fixedShape(input);
        OnnxChain chain = new OnnxChain(initializers, inputShape);
        String current = input.getName();
        List<NodeProto> nodes = graph.getNodeList();
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto node = nodes.get(i);
            if (node.getOutputCount() == 0) {
                throw new IllegalArgumentException(describe(node, i) + " has no output");
            }
            if (node.getOpType().equals("Constant")) {
                chain.constant(node);
                continue;
            }
            if (node.getInputCount() == 0 || !node.getInput(0).equals(current)) {
                throw new IllegalArgumentException(describe(node, i) + " does not read the output of the node before"
                        + " it; only chains of layers are supported");
            }
            NodeProto next = i + 1 < nodes.size() ? nodes.get(i + 1) : null;
            boolean fusedAdd = chain.add(node, i, next);
            if (fusedAdd) {
                i++;
                current = next.getOutput(0);
            } else {
                current = node.getOutput(0);
            }
        }
        if (graph.getOutputCount() != 1 || !graph.getOutput(0).getName().equals(current)) {
            throw new IllegalArgumentException("ONNX import: the graph's output is not the last node's output '"
                    + printable(current) + "'");
        }
        Sequential sequential = new Sequential(name, chain.layers);
        try {
            sequential.compile(backend, inputShape, 0);
            chain.loadWeights();
            return sequential;
        } catch (RuntimeException e) {
            sequential.close();
            throw e;
        }
    }

    /** The default domain's opset, or -1 where the file imports none. */
    private static long opset(ModelProto model) {
        long opset = -1;
        for (OperatorSetIdProto id : model.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                opset = id.getVersion();
            }
        }
        return opset;
    }

    private static void checkOpset(ModelProto model) {
        long opset = opset(model);
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("ONNX import: opset " + (opset < 0 ? "(none)" : opset)
                    + " of the default domain is not supported; " + MIN_OPSET + " to " + MAX_OPSET + " are");
        }
    }

    private static Shape fixedShape(ValueInfoProto input) {
        var type = input.getType();
        if (!type.hasTensorType() || type.getTensorType().getElemType() != TensorProto.DataType.FLOAT.getNumber()) {
            throw new IllegalArgumentException("ONNX import: input '" + printable(input.getName())
                    + "' is not a float32 tensor; float32 N×C×H×W or N×F inputs are supported");
        }
        List<TensorShapeProto.Dimension> dims = type.getTensorType().getShape().getDimList();
        if (dims.size() != 4 && dims.size() != 2) {
            throw new IllegalArgumentException("ONNX import: input '" + printable(input.getName()) + "' has "
                    + dims.size()
                    + " dimensions; N×C×H×W or N×F are supported");
        }
        int[] d = new int[dims.size()];
        long elements = 1;
        for (int i = 0; i < d.length; i++) {
            if (!dims.get(i).hasDimValue() || dims.get(i).getDimValue() < 1
                    || dims.get(i).getDimValue() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("ONNX import: input '" + printable(input.getName())
                        + "' dimension " + i
                        + " is not a fixed size (" + printable(dims.get(i).getDimParam())
                        + "); fixed shapes are supported");
            }
            d[i] = (int) dims.get(i).getDimValue();
            elements *= d[i];
            if (elements > MAX_TENSOR_ELEMENTS) {
                throw new IllegalArgumentException("ONNX import: input '" + printable(input.getName())
                        + "' holds more than "
                        + MAX_TENSOR_ELEMENTS + " floats, more than import reads");
            }
        }
        return Shape.of(d);
    }

    static String describe(NodeProto node, int index) {
        return "ONNX import: node " + index + " '" + printable(node.getName()) + "' ("
                + printable(node.getOpType()) + ")";
    }

    /**
     * A name from the file as it may appear in a one-line message or a layer name: control and other invisible
     * characters escaped as \\uXXXX, and at most 80 characters.
     */
    static String printable(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length() && out.length() < 80; i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return name.length() > 80 && out.length() >= 80 ? out + "…" : out.toString();
    }


}
