package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jcnn explain ...} end to end on a LeNet and an MLP, each trained for one short epoch. */
class ExplainCommandsTest {
    @TempDir
    static Path shared;

    private static Path lenet;
    private static Path mlp;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainTinyModels() {
        lenet = train("lenet", 2048);
        mlp = train("mlp", 512);
    }

    private static Path train(String model, int images) {
        Path out = shared.resolve(model);
        CliRun run = CliRun.jcnn("train", "--model", model, "--epochs", "1", "--limit", Integer.toString(images),
                "--out", out.toString(), "--threads", "2");
        assertEquals(0, run.exitCode(), run.toString());
        return out.resolve("checkpoint.jcnn");
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

    /** Reads {@code file} back as a PNG and checks its size. */
    private static BufferedImage png(Path file, int width, int height) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
                java.util.Arrays.copyOf(bytes, 8), file + " is a PNG");
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(width, image.getWidth(), file + " width");
        assertEquals(height, image.getHeight(), file + " height");
        return image;
    }

    private static int[] greyRange(BufferedImage image) {
        int min = 255;
        int max = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int v = image.getRaster().getSample(x, y, 0);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return new int[] {min, max};
    }

    /** The files in {@code directory}: nothing half-written is left beside the results. */
    private static List<String> files(Path directory) throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void saliencyAndGuidedMapsOfATestImageOrAFile() throws IOException {
        Path map = dir.resolve("saliency.png");
        CliRun run = explain("saliency", lenet.toString(), "--index", "3", "--out", map.toString());
        assertTrue(run.out().matches("test image 3 of sample \\(label \\d\\): predicted \\d \\(\\d+\\.\\d%\\);"
                + " saliency map of class \\d \\(score -?\\d+\\.\\d{3}\\) written to .*saliency\\.png \\(112×112\\)\\R"),
                run.out());
        BufferedImage image = png(map, 112, 112);
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, image.getType());
        assertEquals(255, greyRange(image)[1], "the most salient pixel is white");
        assertTrue(greyRange(image)[0] < 64, "and most are darker");

        // The same digit as a 28×28 file gives the same map; a chosen class, a chosen scale.
        Path digit = writeDigit(dir.resolve("digit.png"), 3, 28);
        Path guided = dir.resolve("out").resolve("guided.png");
        CliRun fromFile = explain("guided", lenet.toString(), digit.toString(), "--class", "2", "--scale", "2",
                "--out", guided.toString());
        assertTrue(fromFile.out().startsWith(digit + ": predicted "), fromFile.out());
        assertTrue(fromFile.out().contains("guided-backpropagation map of class 2 "), fromFile.out());
        png(guided, 56, 56);
        assertEquals(List.of("guided.png"), files(guided.getParent()));

        Path overlay = dir.resolve("overlay.png");
        explain("saliency", lenet.toString(), "--index", "3", "--overlay", "--out", overlay.toString());
        BufferedImage heat = png(overlay, 112, 112);
        boolean yellow = false;
        for (int y = 0; y < 112; y++) {
            for (int x = 0; x < 112; x++) {
                yellow |= (heat.getRGB(x, y) & 0xFFFFFF) == 0xFFFF00;
            }
        }
        assertTrue(yellow, "the most salient pixel is pure heat (yellow)");

        Path fileMap = dir.resolve("from-file.png");
        explain("saliency", lenet.toString(), digit.toString(), "--out", fileMap.toString());
        assertArrayEquals(Files.readAllBytes(map), Files.readAllBytes(fileMap), "a file and --index agree");
    }

    @Test
    void classImageReportsARisingScoreAndIsReproducible() throws IOException {
        Path first = dir.resolve("first.png");
        Path second = dir.resolve("second.png");
        String[] args = {"class-image", lenet.toString(), "--class", "3,8", "--steps", "30", "--seed", "4",
                "--report-every", "10"};
        CliRun run = explain(concat(args, "--out", first.toString()));
        explain(concat(args, "--out", second.toString()));
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "a fixed seed reproduces the image");
        png(first, 2 * 112 + 2, 112);
        Matcher line = Pattern.compile("class (\\d)  step +(\\d+)  score +(-?\\d+\\.\\d+)  probability").matcher(run.out());
        List<Float> scoresOfThree = new ArrayList<>();
        int lines = 0;
        while (line.find()) {
            lines++;
            if (line.group(1).equals("3")) {
                scoresOfThree.add(Float.parseFloat(line.group(3)));
            }
        }
        assertEquals(8, lines, "steps 0, 10, 20 and 30 of each class:\n" + run.out());
        for (int i = 1; i < scoresOfThree.size(); i++) {
            assertTrue(scoresOfThree.get(i) > scoresOfThree.get(i - 1), "the score rises:\n" + run.out());
        }
    }

    @Test
    void filtersTemplatesActivationsAndConfusion() throws IOException {
        Path filters = dir.resolve("filters.png");
        CliRun run = explain("filters", lenet.toString(), "--out", filters.toString());
        assertTrue(run.out().startsWith("layer 'conv1': 20 tiles of 1×5×5 weights written to "), run.out());
        png(filters, 5 * 40 + 4 * 2, 4 * 40 + 3 * 2);

        Path templates = dir.resolve("templates.png");
        run = explain("templates", mlp.toString(), "--limit", "12", "--columns", "4", "--out", templates.toString());
        assertTrue(run.out().startsWith("12 of 512 templates written to "), run.out());
        png(templates, 4 * 56 + 3 * 2, 3 * 56 + 2 * 2);

        Path activations = dir.resolve("activations");
        run = explain("activations", lenet.toString(), "--index", "0", "--out", activations.toString());
        assertEquals(List.of("01-conv1.png", "02-pool1.png", "03-conv2.png", "04-pool2.png", "05-ip1.png",
                "06-relu1.png", "07-ip2.png"), files(activations));
        assertTrue(run.out().contains("  pool1 (MaxPool2d, 20×12×12): "), run.out());
        png(activations.resolve("02-pool1.png"), 5 * 60 + 4 * 2, 4 * 60 + 3 * 2);

        Path confusion = dir.resolve("confusion.png");
        run = explain("confusion", lenet.toString(), "--size", "400", "--out", confusion.toString());
        assertTrue(run.out().matches("lenet on sample \\(test\\): \\d+\\.\\d\\d% of 2000; confusion matrix written to"
                + " .*\\R"), run.out());
        png(confusion, 400, 400);
    }

    @Test
    void adversarialWritesBeforeAndAfterAndReportsEpsilon() throws IOException {
        Path out = dir.resolve("adversarial");
        CliRun run = explain("adversarial", lenet.toString(), "--index", "1", "--out", out.toString());
        Matcher found = Pattern.compile("test image 1 of sample \\(label (\\d)\\): (\\d) \\(\\d+\\.\\d%\\) becomes (\\d)"
                + " \\(\\d+\\.\\d%\\) at epsilon (0\\.\\d{4}) \\(\\d+\\.\\d of 255 grey levels\\), found in \\d+ forward"
                + " passes").matcher(run.out());
        assertTrue(found.find(), run.out());
        assertTrue(!found.group(2).equals(found.group(3)), "the prediction changed");
        assertEquals(List.of("after.png", "before.png"), files(out));
        int[] before = greyRange(png(out.resolve("before.png"), 112, 112));
        assertArrayEquals(new int[] {0, 255}, before, "an MNIST digit: black background, white strokes");
        png(out.resolve("after.png"), 112, 112);

        CliRun tooSmall = CliRun.jcnn("explain", "adversarial", lenet.toString(), "--index", "1", "--max-epsilon",
                "0.0001", "--out", dir.resolve("none").toString());
        assertEquals(1, tooSmall.exitCode(), tooSmall.toString());
        assertTrue(tooSmall.err().contains("no step up to epsilon 0.0001 changes the prediction"), tooSmall.toString());
        assertTrue(Files.notExists(dir.resolve("none")));
    }

    @Test
    void badInputIsNamedOnOneLine() throws IOException {
        String model = lenet.toString();
        expectFailure(1, "--class 10 is out of range: model 'lenet' in " + model + " has 10 classes (0 to 9)",
                "saliency", model, "--index", "0", "--class", "10");
        expectFailure(1, "--class 12 is out of range", "class-image", model, "--class", "3,12");
        Path big = writeDigit(dir.resolve("big.png"), 0, 56);
        expectFailure(1, "image " + big + " is 56×56 pixels (height×width) but model 'lenet' takes 28×28 images;"
                + " pass --resize to stretch it", "saliency", model, big.toString());
        explain("saliency", model, big.toString(), "--resize", "--out", dir.resolve("resized.png").toString());
        expectFailure(1, "model 'mlp' has no convolution layer to draw the filters of", "filters", mlp.toString());
        expectFailure(1, "model 'lenet' starts with Conv2d 'conv1', not a dense layer", "templates", model);
        expectFailure(1, "--index 2000 is out of range: the test split of 'sample' has 2000 images (0 to 1999)",
                "activations", model, "--index", "2000");
        expectFailure(1, "--layers: model 'lenet' has no layer fc9; its layers are conv1, pool1", "activations", model,
                "--index", "0", "--layers", "conv1,fc9");
        Path garbage = Files.writeString(dir.resolve("garbage.jcnn"), "not a checkpoint at all");
        expectFailure(1, "garbage.jcnn", "filters", garbage.toString());
        byte[] bytes = Files.readAllBytes(lenet);
        bytes[bytes.length / 2] ^= 1;
        Path corrupt = Files.write(dir.resolve("corrupt.jcnn"), bytes);
        expectFailure(1, "is corrupted: checksum mismatch", "saliency", corrupt.toString(), "--index", "0");
        expectFailure(1, "no such file", "saliency", model, dir.resolve("missing.png").toString());
        expectFailure(2, "an IMAGE file or --index N is required", "saliency", model);
        expectFailure(2, "give an IMAGE file or --index N, not both", "guided", model, big.toString(), "--index", "0");
        expectFailure(2, "--scale must be 1 to 64, got 0", "filters", model, "--scale", "0");
        expectFailure(2, "adversarial search: the largest epsilon must be in (0, 1], got 2.0", "adversarial", model,
                "--index", "0", "--max-epsilon", "2");
        expectFailure(2, "class visualisation: steps must be at least 1, got 0", "class-image", model, "--class", "1",
                "--steps", "0");
        expectFailure(2, "explain needs a command: one of saliency, guided, class-image, dream, style, filters,"
                + " templates, activations, confusion, adversarial");
        for (String command : List.of("saliency", "guided", "class-image", "dream", "style", "filters", "templates",
                "activations", "confusion", "adversarial")) {
            CliRun help = CliRun.jcnn("explain", command, "--help");
            assertEquals(0, help.exitCode(), help.toString());
            assertTrue(help.out().startsWith("Usage: jcnn explain " + command + " "), help.toString());
        }
        assertEquals(List.of("big.png", "corrupt.jcnn", "garbage.jcnn", "resized.png"), files(dir));
    }

    private static void expectFailure(int exit, String message, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "explain";
        System.arraycopy(args, 0, all, 1, args.length);
        CliRun run = CliRun.jcnn(all);
        assertEquals(exit, run.exitCode(), run.toString());
        assertEquals(1, run.errLines().size(), run.toString());
        assertTrue(run.err().startsWith("jcnn: ") && run.err().contains(message), run.toString());
    }

    /** Test digit {@code index} of the bundled sample as a grey PNG, {@code size}×{@code size} (nearest neighbour). */
    private static Path writeDigit(Path file, int index, int size) throws IOException {
        Dataset test = Mnist.sample().test();
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int v = test.pixels()[index * 784 + (y * 28 / size) * 28 + x * 28 / size] & 0xFF;
                image.getRaster().setSample(x, y, 0, v);
            }
        }
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static String[] concat(String[] first, String... more) {
        return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
    }
}
