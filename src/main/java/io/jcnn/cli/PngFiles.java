package io.jcnn.cli;

import io.jcnn.model.AtomicFiles;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes images as PNG files, atomically ({@link AtomicFiles}). */
final class PngFiles {
    private PngFiles() {
    }

    static void write(Path file, RenderedImage image) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", png)) {
            throw new IOException("cannot write " + file + ": this Java runtime has no PNG encoder");
        }
        AtomicFiles.write(file, png.toByteArray());
    }
}
