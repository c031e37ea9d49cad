package io.jcnn.cli;

import io.jcnn.backend.Backend;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Normalization;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Sequential;
import io.jcnn.onnx.OnnxImport;
import io.jcnn.tensor.Shape;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jcnn import}: turns an ONNX model into a jcnn checkpoint that describes its layers, so that eval, predict,
 * explain, export and {@code train --from} take it like a model jcnn trained.
 */
@Command(name = "import",
        mixinStandardHelpOptions = true,
        description = "Read an ONNX model (a chain of Conv, pooling, Gemm or MatMul + Add, activations, LRN, batch"
                + " norm, Dropout, Flatten or Reshape, Softmax; NCHW float32 input of fixed shape; opsets "
                + OnnxImport.MIN_OPSET + " to " + OnnxImport.MAX_OPSET + ") and save it as a jcnn checkpoint.")
final class ImportCommand implements Callable<Integer> {
    /** A name that is also a directory name: {@code jcnn train --from} writes to runs/NAME by default. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The ONNX file.")
    private Path onnx;

    @Option(names = "--out", paramLabel = "CHECKPOINT", required = true,
            description = "The checkpoint to write (replaced whole).")
    private Path out;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The model's name (letters, digits, '.', '_', '-'). Default: the file's name without .onnx.")
    private String name;

    @Option(names = "--mean", paramLabel = "M",
            description = "The input normalisation the model was trained with, x' = (x/255 - M) / S, such as 0.1307"
                    + " for PyTorch's MNIST recipe. Default: what the file records (jcnn export writes it), else 0.")
    private Float mean;

    @Option(names = "--std", paramLabel = "S",
            description = "The normalisation's S, such as 0.3081. Default: what the file records, else 1.")
    private Float std;

    @Option(names = "--image", paramLabel = "CxHxW",
            description = "For a model whose input is N×F features: the image shape it flattens, such as 1x28x28"
                    + " (C·H·W = F), so that the jcnn commands can feed it images.")
    private String image;

    @Override
    public Integer call() throws IOException {
        String modelName = name != null ? name : onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
        if (!NAME.matcher(modelName).matches()) {
            throw new ParameterException(spec.commandLine(), (name != null ? "--name '" + modelName + "'"
                    : "the file's name '" + modelName + "' (the default model name)")
                    + " is not a valid model name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a"
                    + " letter or digit" + (name != null ? "" : "; give one with --name"));
        }
        if ((mean == null) != (std == null)) {
            throw new ParameterException(spec.commandLine(), "--mean and --std go together; give both or neither");
        }
        int[] imageShape = image == null ? null : imageShape(image);
        if (Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " is a directory; expected a file");
        }
        PrintWriter console = spec.commandLine().getOut();
        try (Backend backend = new CpuBackend(1)) {
            OnnxImport.Imported imported = OnnxImport.read(onnx, backend, modelName);
            try (Sequential model = imported.model()) {
                Shape input = imageInput(model.inputShape(), imageShape);
                if (!input.equals(model.inputShape())) {
                    model.compile(backend, input, 0);
                }
                Normalization normalization = normalization(imported.metadata());
                Map<String, String> metadata = new LinkedHashMap<>();
                metadata.put(RunMetadata.MEAN, Float.toString(normalization.mean()));
                metadata.put(RunMetadata.STD, Float.toString(normalization.std()));
                metadata.put("onnx.file", onnx.getFileName().toString());
                metadata.put("onnx.opset", Long.toString(imported.opset()));
                if (!imported.producer().isEmpty()) {
                    metadata.put("onnx.producer", imported.producer());
                }
                Checkpoint.save(out, model, null, null, metadata);
                console.printf(Locale.ROOT, "imported %s as '%s' (%d layers, %,d parameters, %s images) to %s;"
                                + " input normalisation mean %s, std %s%s%n", onnx, modelName, model.layers().size(),
                        model.parameterCount(), sample(input), out, normalization.mean(), normalization.std(),
                        normalizationSource(imported.metadata()));
            }
        }
        return 0;
    }

    /** The normalisation from --mean/--std, else the file's record, else none (pixels scaled to [0, 1]). */
    private Normalization normalization(Map<String, String> fileMetadata) {
        try {
            if (mean != null) {
                return new Normalization(mean, std);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--mean/--std: " + e.getMessage());
        }
        String m = fileMetadata.get(RunMetadata.ONNX_MEAN);
        String s = fileMetadata.get(RunMetadata.ONNX_STD);
        if (m == null || s == null) {
            return Normalization.NONE;
        }
        try {
            return new Normalization(Float.parseFloat(m), Float.parseFloat(s));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(onnx + " records an invalid normalisation (" + RunMetadata.ONNX_MEAN
                    + " '" + m + "', " + RunMetadata.ONNX_STD + " '" + s + "'); give --mean and --std", e);
        }
    }

    private String normalizationSource(Map<String, String> fileMetadata) {
        if (mean != null) {
            return "";
        }
        boolean recorded = fileMetadata.containsKey(RunMetadata.ONNX_MEAN)
                && fileMetadata.containsKey(RunMetadata.ONNX_STD);
        return recorded ? " (recorded in the file)"
                : " (none recorded: pixels scaled to [0, 1]; give --mean and --std if the model was trained otherwise)";
    }

    /** The input the commands will feed: the file's N×C×H×W, or N×F read as N×C×H×W with --image. */
    private Shape imageInput(Shape input, int[] imageShape) {
        if (input.rank() == 4) {
            if (imageShape != null && !Shape.of(imageShape).equals(Shape.of(input.dim(1), input.dim(2),
                    input.dim(3)))) {
                throw new ParameterException(spec.commandLine(), "--image " + image + " differs from the model's"
                        + " input " + input + "; leave --image out for a model of image input");
            }
            return input;
        }
        if (input.rank() != 2) {
            throw new IllegalArgumentException("jcnn import: the model's input is " + input + "; the jcnn commands"
                    + " take N×C×H×W images, or N×F features with --image");
        }
        if (imageShape == null) {
            throw new ParameterException(spec.commandLine(), "the model's input is " + input + " (features, not"
                    + " images); the jcnn commands feed images: give --image CxHxW with C·H·W = " + input.dim(1)
                    + (input.dim(1) == 784 ? ", such as --image 1x28x28" : ""));
        }
        long features = (long) imageShape[0] * imageShape[1] * imageShape[2];
        if (features != input.dim(1)) {
            throw new ParameterException(spec.commandLine(), "--image " + image + " has " + features
                    + " values but the model's input has " + input.dim(1) + " features");
        }
        return Shape.nchw(input.dim(0), imageShape[0], imageShape[1], imageShape[2]);
    }

    private int[] imageShape(String text) {
        String[] parts = text.split("x", -1);
        try {
            if (parts.length == 3) {
                int[] dims = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
                if (dims[0] >= 1 && dims[1] >= 1 && dims[2] >= 1) {
                    return dims;
                }
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new ParameterException(spec.commandLine(), "--image must be CxHxW with positive sizes, such as 1x28x28;"
                + " got '" + text + "'");
    }

    private static String sample(Shape input) {
        return input.dim(1) + "×" + input.dim(2) + "×" + input.dim(3);
    }
}
