package io.jcnn.cli;

import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Normalization;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Sequential;
import io.jcnn.onnx.OnnxExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jcnn export}: writes a checkpoint's model as an ONNX file for other runtimes. */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        description = "Write a checkpoint's model as an ONNX file (opset " + OnnxExport.OPSET + ", NCHW float32 input"
                + " named '" + OnnxExport.INPUT + "', output '" + OnnxExport.OUTPUT + "'), for ONNX Runtime and other"
                + " ONNX tools. The input normalisation (x' = (x/255 - mean) / std) is recorded in the file's"
                + " metadata.")
final class ExportCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT",
            description = "A checkpoint saved by jcnn train or jcnn import.")
    private Path checkpoint;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "onnx",
            description = "The file format: onnx. Default: ${DEFAULT-VALUE}.")
    private String format;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The file to write (replaced whole).")
    private Path out;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1",
            description = "The batch size fixed in the file's input shape. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("onnx")) {
            throw new ParameterException(spec.commandLine(), "--format must be onnx, got '" + format + "'");
        }
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, got " + batchSize);
        }
        PrintWriter console = spec.commandLine().getOut();
        Checkpoint.Header header = Checkpoint.readHeader(checkpoint);
        Normalization normalization = RunMetadata.normalization(header);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("jcnn.model", header.modelName());
        metadata.put(RunMetadata.ONNX_MEAN, Float.toString(normalization.mean()));
        metadata.put(RunMetadata.ONNX_STD, Float.toString(normalization.std()));
        try (Backend backend = new CpuBackend(1);
             Sequential model = TrainedModels.load(backend, checkpoint, header, batchSize)) {
            OnnxExport.write(model, out, metadata);
            console.printf(Locale.ROOT, "exported %s (%s, %,d parameters) to %s: input %s '%s', output %s '%s'%n",
                    checkpoint, model.name(), model.parameterCount(), out, model.inputShape(), OnnxExport.INPUT,
                    model.outputShape(), OnnxExport.OUTPUT);
        }
        return 0;
    }
}
