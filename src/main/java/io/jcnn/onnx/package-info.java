/**
 * ONNX: {@link io.jcnn.onnx.OnnxExport} writes a compiled {@link io.jcnn.model.Sequential} as an ONNX model that
 * ONNX Runtime and other ONNX tools run.
 */
package io.jcnn.onnx;
