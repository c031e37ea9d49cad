package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jcnn explain dream} and {@code jcnn explain style} end to end on a LeNet trained for one short epoch. */
class InputOptimisationCommandsTest {
    @TempDir
    static Path shared;

    private static String lenet;
    private static Path stripes;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainAndDraw() throws IOException {
        Path out = shared.resolve("lenet");
        CliRun run = CliRun.jcnn("train", "--epochs", "1", "--limit", "2048", "--out", out.toString(), "--threads",
                "2");
        assertEquals(0, run.exitCode(), run.toString());
        lenet = out.resolve("checkpoint.jcnn").toString();
        stripes = shared.resolve("stripes.png");
        BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                image.getRaster().setSample(x, y, 0, (x + y) / 4 % 2 == 0 ? 255 : 0);
            }
        }
        ImageIO.write(image, "png", stripes.toFile());
    }

    private static CliRun explain(String... args) {
        List<String> all = new ArrayList<>(List.of("explain"));
        all.addAll(List.of(args));
        all.addAll(List.of("--threads", "2"));
        CliRun run = CliRun.jcnn(all.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", run.err(), run.toString());
        return run;
    }

    @Test
    void dreamPrintsARisingObjectivePerOctaveAndIsReproducible() throws IOException {
        Path first = dir.resolve("dream.png");
        CliRun run = explain("dream", lenet, "--index", "0", "--layer", "conv2", "--steps", "6", "--report-every", "3",
                "--out", first.toString());
        assertTrue(run.out().startsWith("dreaming on test image 0 of sample (label "), run.out());
        for (String octave : List.of("1/3 \\(14×14\\)", "2/3 \\(20×20\\)", "3/3 \\(28×28\\)")) {
            double start = objective(run.out(), octave, 0);
            double end = objective(run.out(), octave, 6);
            assertTrue(end > start, octave + ": " + run.out());
        }
        assertTrue(run.out().contains("wrote " + first + " (112×112)"), run.out());
        Path second = dir.resolve("again.png");
        explain("dream", lenet, "--index", "0", "--layer", "conv2", "--steps", "6", "--out", second.toString());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "same seed, same picture");

        Path noise = dir.resolve("noise.png");
        CliRun fromNoise = explain("dream", lenet, "--from-noise", "--layer", "pool1", "--channel", "3",
                "--objective", "mean", "--steps", "4", "--octaves", "2", "--out", noise.toString());
        assertTrue(fromNoise.out().startsWith("dreaming on noise (seed 1)"), fromNoise.out());
        assertTrue(objective(fromNoise.out(), "2/2 \\(28×28\\)", 4) > objective(fromNoise.out(), "2/2 \\(28×28\\)", 0),
                fromNoise.out());
    }

    private static double objective(String out, String octave, int step) {
        Matcher m = Pattern.compile("octave " + octave + "  step +" + step + "  objective (-?[0-9.]+)").matcher(out);
        assertTrue(m.find(), "octave " + octave + " step " + step + " in\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void stylePrintsFallingLossesForImagesOfTheirOwnSizesAndIsReproducible() throws IOException {
        Path first = dir.resolve("styled.png");
        CliRun run = explain("style", lenet, "--content-index", "0", "--style", stripes.toString(), "--invert", "no",
                "--steps", "40", "--report-every", "20", "--out", first.toString());
        assertTrue(run.out().startsWith("content test image 0 of sample at layer conv2; style " + stripes
                + " at layers conv1, conv2"), run.out());
        double[] start = losses(run.out(), 0);
        double[] end = losses(run.out(), 40);
        assertEquals(0, start[0], 0, "it starts from the content image");
        assertTrue(end[1] < start[1], "the style loss falls: " + run.out());
        assertTrue(end[3] < start[3], "the total falls: " + run.out());
        assertTrue(run.out().contains("wrote " + first + " (112×112)"), run.out());
        Path second = dir.resolve("again.png");
        explain("style", lenet, "--content-index", "0", "--style", stripes.toString(), "--invert", "no", "--steps",
                "40", "--out", second.toString());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "same seed, same picture");
    }

    /** content, style, variation and total at {@code step}. */
    private static double[] losses(String out, int step) {
        Matcher m = Pattern.compile("step +" + step + "  content ([0-9.]+)  style ([0-9.]+)  variation ([0-9.]+)"
                + "  total ([0-9.]+)").matcher(out);
        assertTrue(m.find(), "step " + step + " in\n" + out);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))};
    }

    @Test
    void badInputIsNamedOnOneLine() throws IOException {
        expectFailure(1, "dream: model 'lenet' has no layer 'conv9'; its layers are conv1 Conv2d, pool1 MaxPool2d,",
                "dream", lenet, "--index", "0", "--layer", "conv9");
        expectFailure(1, "dream: channel 20 is out of range; layer 'conv1' has 20 channels (0 to 19)", "dream",
                lenet, "--index", "0", "--layer", "conv1", "--channel", "20");
        expectFailure(2, "an IMAGE file, --index N or --from-noise is required", "dream", lenet, "--layer", "conv1");
        expectFailure(2, "--from-noise starts from noise; give no IMAGE or --index with it", "dream", lenet,
                "--layer", "conv1", "--from-noise", "--index", "0");
        expectFailure(2, "--objective must be mean or squares, got 'max'", "dream", lenet, "--index", "0",
                "--layer", "conv1", "--objective", "max");
        expectFailure(2, "dream: the octave scale must be above 1, got 1.0", "dream", lenet, "--index", "0",
                "--layer", "conv1", "--octave-scale", "1");
        expectFailure(2, "give the style image as --style FILE or --style-index N (one of them)", "style", lenet,
                "--content-index", "0");
        expectFailure(1, "style: layer 'ip1' (Linear) outputs 1×500, with no spatial extent; style layers need"
                + " feature maps (C×H×W)", "style", lenet, "--content-index", "0", "--style-index", "1",
                "--style-layers", "conv1,ip1");
        BufferedImage tiny = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        Path small = dir.resolve("small.png");
        ImageIO.write(tiny, "png", small.toFile());
        expectFailure(1, "style (the style image): model 'lenet' cannot take a 1×8×8 image up to layer 'conv2'",
                "style", lenet, "--content-index", "0", "--style", small.toString());
        BufferedImage huge = new BufferedImage(600, 20, BufferedImage.TYPE_BYTE_GRAY);
        Path big = dir.resolve("big.png");
        ImageIO.write(huge, "png", big.toFile());
        expectFailure(1, "--style " + big + " is 20×600 pixels; style takes images of up to 512×512: shrink it first",
                "style", lenet, "--content-index", "0", "--style", big.toString());
        expectFailure(2, "style: every loss weight is 0; nothing would be optimised", "style", lenet,
                "--content-index", "0", "--style-index", "1", "--content-weight", "0", "--style-weight", "0",
                "--tv-weight", "0");
    }

    private static void expectFailure(int exit, String message, String... args) {
        List<String> all = new ArrayList<>(List.of("explain"));
        all.addAll(List.of(args));
        CliRun run = CliRun.jcnn(all.toArray(String[]::new));
        assertEquals(exit, run.exitCode(), run.toString());
        assertEquals(1, run.errLines().size(), run.toString());
        assertTrue(run.err().startsWith("jcnn: ") && run.err().contains(message), run.toString());
    }
}
