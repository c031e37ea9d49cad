/**
 * ONNX: {@link io.jcnn.onnx.OnnxExport} writes a compiled {@link io.jcnn.model.Sequential} as an ONNX model that
 * ONNX Runtime and other ONNX tools run; {@link io.jcnn.onnx.OnnxImport} reads such models, and PyTorch's exports of
 * the same kinds of layers, back into a compiled model.
 */
package io.jcnn.onnx;
