package io.jcnn.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.List;
import java.util.SplittableRandom;

/**
 * ONNX models built as other tools write them, for the tests of import: a LeNet in the layout of PyTorch's exporter
 * (MatMul + Add for a dense layer, a Reshape whose shape is a Constant node), and the pieces to build others.
 */
public final class TorchStyleModels {
    private TorchStyleModels() {
    }

    /** A LeNet laid out as PyTorch's exporter lays it out, with small random weights, for {@code batch} images. */
    public static ModelProto lenet(int opset, int batch) {
        SplittableRandom r = new SplittableRandom(opset);
        GraphProto.Builder g = GraphProto.newBuilder().setName("torch_lenet");
        g.addInput(info("input.1", batch, 1, 28, 28));
        g.addInitializer(floats("conv1.weight", r, 20, 1, 5, 5)).addInitializer(floats("conv1.bias", r, 20));
        g.addInitializer(floats("conv2.weight", r, 50, 20, 5, 5)).addInitializer(floats("conv2.bias", r, 50));
        // PyTorch writes Linear as MatMul with the transposed weight (in×out) and an Add of the bias.
        g.addInitializer(floats("onnx::MatMul_30", r, 800, 500)).addInitializer(floats("fc1.bias", r, 500));
        g.addInitializer(floats("onnx::MatMul_31", r, 500, 10)).addInitializer(floats("fc2.bias", r, 10));
        g.addNode(node("Conv", "/conv1/Conv", List.of("input.1", "conv1.weight", "conv1.bias"), "/conv1/Conv_output_0",
                ints("kernel_shape", 5, 5), ints("strides", 1, 1), ints("pads", 0, 0, 0, 0)));
        g.addNode(node("MaxPool", "/pool1/MaxPool", List.of("/conv1/Conv_output_0"), "/pool1/MaxPool_output_0",
                ints("kernel_shape", 2, 2), ints("strides", 2, 2)));
        g.addNode(node("Conv", "/conv2/Conv", List.of("/pool1/MaxPool_output_0", "conv2.weight", "conv2.bias"),
                "/conv2/Conv_output_0", ints("kernel_shape", 5, 5)));
        g.addNode(node("MaxPool", "/pool2/MaxPool", List.of("/conv2/Conv_output_0"), "/pool2/MaxPool_output_0",
                ints("kernel_shape", 2, 2), ints("strides", 2, 2)));
        g.addNode(NodeProto.newBuilder().setOpType("Constant").setName("/Constant").addOutput("/Constant_output_0")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64.getNumber()).addDims(2)
                                .addInt64Data(-1).addInt64Data(800))));
        g.addNode(node("Reshape", "/Reshape", List.of("/pool2/MaxPool_output_0", "/Constant_output_0"),
                "/Reshape_output_0"));
        g.addNode(node("MatMul", "/fc1/MatMul", List.of("/Reshape_output_0", "onnx::MatMul_30"),
                "/fc1/MatMul_output_0"));
        g.addNode(node("Add", "/fc1/Add", List.of("/fc1/MatMul_output_0", "fc1.bias"), "/fc1/Add_output_0"));
        g.addNode(node("Relu", "/Relu", List.of("/fc1/Add_output_0"), "/Relu_output_0"));
        g.addNode(node("MatMul", "/fc2/MatMul", List.of("/Relu_output_0", "onnx::MatMul_31"), "/fc2/MatMul_output_0"));
        g.addNode(node("Add", "/fc2/Add", List.of("/fc2/MatMul_output_0", "fc2.bias"), "26"));
        g.addOutput(ValueInfoProto.newBuilder().setName("26"));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(g).build();
    }

    /** A float32 value of fixed shape {@code dims}. */
    public static ValueInfoProto info(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    /** An initializer of uniform values in [-0.1, 0.1). */
    public static TensorProto floats(String name, SplittableRandom r, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
        long n = 1;
        for (long d : dims) {
            t.addDims(d);
            n *= d;
        }
        for (long i = 0; i < n; i++) {
            t.addFloatData((float) (r.nextDouble() - 0.5) * 0.2f);
        }
        return t.build();
    }

    /** A node of {@code op} reading {@code inputs}, writing {@code output}. */
    public static NodeProto node(String op, String name, List<String> inputs, String output,
                                  AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output)
                .addAllAttribute(List.of(attributes)).build();
    }

    /** An INTS attribute. */
    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
