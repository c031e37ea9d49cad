package io.jcnn.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** An explain command that looks at one image: IMAGE after the checkpoint, or {@code --index}. */
abstract class ImageSubcommand extends ExplainSubcommand {
    @Parameters(index = "1", arity = "0..1", paramLabel = "IMAGE",
            description = "A PNG or JPEG file of the model's input size (or use --index).")
    private Path file;

    @Mixin
    private ImageOptions image;

    /** Whether an image was given (for commands where it is optional). */
    boolean imageGiven() {
        return image.given(file);
    }

    /** By default exactly one of IMAGE and {@code --index} must be given. */
    @Override
    void checkOptions() {
        image.check(file);
    }

    /** The image, prepared for {@code model}. */
    ImageOptions.Input readImage(ExplainedModel model) throws IOException {
        return image.read(file, model);
    }
}
