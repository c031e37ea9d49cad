package io.jcnn.onnx;

import static io.jcnn.onnx.OnnxImport.printable;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;

/** Reading the attributes of an ONNX node, with one-line refusals of values import does not take. */
final class OnnxAttributes {
    private OnnxAttributes() {
    }

    /** {@code value} as an int, or a one-line refusal when it is not a positive-or-zero int. */
    static int checkedInt(long value, String where) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where + ": size or attribute " + value + " is out of range");
        }
        return (int) value;
    }

    static void rejectAutoPad(NodeProto node, String where) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals("auto_pad") && !a.getS().toStringUtf8().equals("NOTSET")) {
                throw new IllegalArgumentException(where + ": auto_pad " + printable(a.getS().toStringUtf8())
                        + " is not supported; explicit pads are");
            }
        }
    }

    /** A two-value attribute (one per spatial axis), 1 and 1 when absent. */
    static long[] pair(NodeProto node, String name, String where) {
        long[] values = intsAttribute(node, name, 1, 1);
        if (values.length != 2) {
            throw new IllegalArgumentException(where + ": " + name + " must hold 2 values (2-D), got "
                    + values.length);
        }
        return values;
    }

    static long[] symmetricPads(NodeProto node, String where) {
        long[] pads = intsAttribute(node, "pads", 0, 0, 0, 0);
        if (pads.length != 4 || pads[0] != pads[2] || pads[1] != pads[3]) {
            throw new IllegalArgumentException(where + ": pads " + java.util.Arrays.toString(pads)
                    + " are not supported; equal padding on both sides of each axis is");
        }
        return new long[] {pads[0], pads[1]};
    }

    static long intAttribute(NodeProto node, String name, long fallback) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }

    static float floatAttribute(NodeProto node, String name, float fallback) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getF();
            }
        }
        return fallback;
    }

    static long[] intsAttribute(NodeProto node, String name, long... fallback) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        return fallback.length == 0 ? null : fallback;
    }
}
