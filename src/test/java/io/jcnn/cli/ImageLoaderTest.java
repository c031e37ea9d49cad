package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLoaderTest {

    private static Path save(BufferedImage image, String format, Path file) throws IOException {
        assertTrue(ImageIO.write(image, format, file.toFile()), "no " + format + " writer");
        return file;
    }

    private static BufferedImage grey(int height, int width, int[] values) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setPixels(0, 0, width, height, values);
        return image;
    }

    private static int unsigned(byte b) {
        return b & 0xff;
    }

    @Test
    void greyPngKeepsItsExactValues(@TempDir Path dir) throws IOException {
        int[] values = new int[28 * 28];
        Arrays.setAll(values, i -> (i * 37) % 256);
        Path file = save(grey(28, 28, values), "png", dir.resolve("digit.png"));
        byte[] pixels = ImageLoader.load(file, 1, 28, 28);
        assertEquals(28 * 28, pixels.length);
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], unsigned(pixels[i]), "pixel " + i);
        }
    }

    @Test
    void shrinking56To28AveragesEachTwoByTwoBlock(@TempDir Path dir) throws IOException {
        int[] values = new int[56 * 56];
        int[] expected = new int[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                // A block of four different values whose mean is a whole number.
                int base = (y * 28 + x) % 50; // keeps every value below 256
                int[] block = {base, base + 40, base + 80, base + 200 - 4 * ((x + y) % 3)};
                values[(2 * y) * 56 + 2 * x] = block[0];
                values[(2 * y) * 56 + 2 * x + 1] = block[1];
                values[(2 * y + 1) * 56 + 2 * x] = block[2];
                values[(2 * y + 1) * 56 + 2 * x + 1] = block[3];
                expected[y * 28 + x] = (block[0] + block[1] + block[2] + block[3]) / 4;
            }
        }
        byte[] pixels = ImageLoader.load(save(grey(56, 56, values), "png", dir.resolve("big.png")), 1, 28, 28);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], unsigned(pixels[i]), "pixel " + i);
        }
    }

    @Test
    void colourBecomesLuma(@TempDir Path dir) throws IOException {
        BufferedImage image = new BufferedImage(4, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xff0000);
        image.setRGB(1, 0, 0x00ff00);
        image.setRGB(2, 0, 0x0000ff);
        image.setRGB(3, 0, 0xffffff);
        byte[] pixels = ImageLoader.load(save(image, "png", dir.resolve("colours.png")), 1, 1, 4);
        // 0.299·255, 0.587·255, 0.114·255, 255 rounded.
        assertArrayEquals(new int[] {76, 150, 29, 255}, toInts(pixels));
    }

    @Test
    void threeChannelsArePlanesOfRedGreenBlueAndShrinkPerChannel(@TempDir Path dir) throws IOException {
        BufferedImage image = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                // Left half one colour, right half another, each column pair alternating red by ±10.
                int red = (x < 28 ? 100 : 200) + (x % 2 == 0 ? 10 : -10);
                int rgb = x < 28 ? (red << 16) | (20 << 8) | 30 : (red << 16) | (40 << 8) | 250;
                image.setRGB(x, y, rgb);
            }
        }
        byte[] pixels = ImageLoader.load(save(image, "png", dir.resolve("rgb.png")), 3, 28, 28);
        assertEquals(3 * 28 * 28, pixels.length);
        int plane = 28 * 28;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int i = y * 28 + x;
                boolean left = x < 14;
                assertEquals(left ? 100 : 200, unsigned(pixels[i]), "red " + i);
                assertEquals(left ? 20 : 40, unsigned(pixels[plane + i]), "green " + i);
                assertEquals(left ? 30 : 250, unsigned(pixels[2 * plane + i]), "blue " + i);
            }
        }
    }

    @Test
    void jpegIsReadToWithinCompressionError(@TempDir Path dir) throws IOException {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, x < 32 ? 0x000000 : 0xc86432); // black | (200, 100, 50)
            }
        }
        byte[] pixels = ImageLoader.load(save(image, "jpg", dir.resolve("photo.jpg")), 1, 32, 32);
        int rightLuma = (int) Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50); // 124
        for (int y = 0; y < 32; y++) {
            for (int x : new int[] {0, 5, 12, 20, 27, 31}) { // away from the edge JPEG blurs
                int expected = x < 16 ? 0 : rightLuma;
                int actual = unsigned(pixels[y * 32 + x]);
                assertTrue(Math.abs(actual - expected) <= 4, "pixel " + y + "," + x + ": " + actual + " vs " + expected);
            }
        }
    }

    @Test
    void enlargingInterpolatesBetweenPixelCentres() {
        BufferedImage image = grey(2, 2, new int[] {0, 100, 0, 100});
        byte[] pixels = ImageLoader.convert(image, 1, 4, 4);
        for (int y = 0; y < 4; y++) {
            assertArrayEquals(new int[] {0, 25, 75, 100}, toInts(Arrays.copyOfRange(pixels, 4 * y, 4 * y + 4)));
        }
    }

    @Test
    void shrinkingByAFractionWeighsPartlyCoveredPixels() {
        // 3 → 2: the middle source pixel is split between both target pixels.
        byte[] pixels = ImageLoader.convert(grey(1, 3, new int[] {0, 90, 180}), 1, 1, 2);
        assertArrayEquals(new int[] {30, 150}, toInts(pixels)); // (0 + 90/2)/1.5, (90/2 + 180)/1.5
    }

    @Test
    void transparencyIsSeenOverWhite() {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x00000000); // transparent
        image.setRGB(1, 0, 0xff000000); // opaque black
        image.setRGB(2, 0, 0x80000000); // half-transparent black
        assertArrayEquals(new int[] {255, 0, 127}, toInts(ImageLoader.convert(image, 1, 1, 3)));
    }

    @Test
    void sixteenBitGreyIsScaledToEightBits(@TempDir Path dir) throws IOException {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = image.getRaster();
        raster.setPixels(0, 0, 3, 1, new int[] {0, 128 * 257, 65535});
        byte[] pixels = ImageLoader.load(save(image, "png", dir.resolve("deep.png")), 1, 1, 3);
        assertArrayEquals(new int[] {0, 128, 255}, toInts(pixels));
    }

    @Test
    void greyImagesFillThreeChannels() {
        byte[] pixels = ImageLoader.convert(grey(1, 2, new int[] {10, 200}), 3, 1, 2);
        assertArrayEquals(new int[] {10, 200, 10, 200, 10, 200}, toInts(pixels));
    }

    @Test
    void badFilesFailNamingTheFile(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nothing.png");
        NoSuchFileException absent = assertThrows(NoSuchFileException.class, () -> ImageLoader.load(missing, 1, 28, 28));
        assertEquals(missing.toString(), absent.getFile());
        assertEquals("no such file or directory: " + missing, FailureMessages.describe(absent));

        Path text = Files.writeString(dir.resolve("notes.png"), "not an image at all");
        IOException notImage = assertThrows(IOException.class, () -> ImageLoader.load(text, 1, 28, 28));
        assertEquals("cannot read " + text + ": not a PNG or JPEG image (nor another format Java reads)",
                notImage.getMessage());

        Path png = save(grey(28, 28, new int[28 * 28]), "png", dir.resolve("cut.png"));
        byte[] whole = Files.readAllBytes(png);
        Files.write(png, Arrays.copyOf(whole, whole.length / 2));
        IOException damaged = assertThrows(IOException.class, () -> ImageLoader.load(png, 1, 28, 28));
        assertTrue(damaged.getMessage().startsWith("cannot decode image " + png + ": "), damaged.getMessage());

        IOException directory = assertThrows(IOException.class, () -> ImageLoader.load(dir, 1, 28, 28));
        assertEquals("image " + dir + " is a directory, expected a PNG or JPEG file", directory.getMessage());

        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> ImageLoader.load(png, 2, 28, 28));
        assertEquals("images can be loaded with 1 (grey) or 3 (RGB) channels, got 2", channels.getMessage());
    }

    /** A PNG chunk: length, type, data, CRC of type and data. */
    private static byte[] chunk(String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(name).put(data)
                .putInt((int) crc.getValue()).array();
    }

    /** A PNG whose header claims {@code width × height} 8-bit grey pixels and whose data holds a few. */
    private static byte[] pngClaiming(int width, int height) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        png.writeBytes(chunk("IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).array()));
        png.writeBytes(chunk("IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01}));
        png.writeBytes(chunk("IEND", new byte[0]));
        return png.toByteArray();
    }

    @Test
    void anImageTooLargeIsRefusedFromItsHeaderBeforeDecoding(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("huge.png"), pngClaiming(20000, 20000));
        IOException e = assertThrows(IOException.class, () -> ImageLoader.load(file, 1, 28, 28));
        assertEquals("image " + file + " is 20000×20000 pixels, more than the 50000000 pixels jcnn loads",
                e.getMessage());
    }

    @Test
    void anEmptyImageIsRefused(@TempDir Path dir) throws IOException {
        // A GIF whose screen and only frame are 0×0.
        byte[] gif = {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0x44,
            0x01, 0, 0x3b};
        Path file = Files.write(dir.resolve("empty.gif"), gif);
        IOException e = assertThrows(IOException.class, () -> ImageLoader.load(file, 1, 28, 28));
        assertEquals("image " + file + " is 0×0 pixels, expected at least 1×1", e.getMessage());
    }

    @Test
    void aHeaderCutShortIsADecodingFailureNamingTheFile(@TempDir Path dir) throws IOException {
        // Found by ImageLoaderFuzzTest: the BMP reader's getWidth meets the end of the file (EOFException, no message).
        byte[] bmp = {'B', 'M', 0x66, 0, 0, 0, 0, 'B', 'M', 0x66, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0};
        Path file = Files.write(dir.resolve("cut.bmp"), bmp);
        IOException e = assertThrows(IOException.class, () -> ImageLoader.load(file, 1, 28, 28));
        assertEquals("cannot decode image " + file + ": EOFException", e.getMessage());
    }

    /** A 1×1 grey TIFF, uncompressed, whose one sample has {@code bits} bits. */
    private static byte[] tiff(int bits) {
        short[][] entries = { // tag, type (3 short, 4 long), value
            {256, 3, 1}, {257, 3, 1}, {258, 3, (short) bits}, {259, 3, 1}, {262, 3, 1}, {273, 4, 8 + 2 + 9 * 12 + 4},
            {277, 3, 1}, {278, 3, 1}, {279, 4, 4}};
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + entries.length * 12 + 4 + 4);
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8).putShort((short) entries.length);
        for (short[] entry : entries) {
            tiff.putShort(entry[0]).putShort(entry[1]).putInt(1);
            if (entry[1] == 3) {
                tiff.putShort(entry[2]).putShort((short) 0);
            } else {
                tiff.putInt(entry[2]);
            }
        }
        return tiff.putInt(0).putInt(0x12345678).array();
    }

    @Test
    void samplesDeeperThanSixteenBitsAreRefusedBeforeDecoding(@TempDir Path dir) throws IOException {
        // Found by ImageLoaderFuzzTest: decoding 30-bit TIFF samples fills a 2^30-entry table (4 GiB, half a minute).
        Path file = Files.write(dir.resolve("deep.tiff"), tiff(30));
        IOException e = assertThrows(IOException.class, () -> ImageLoader.load(file, 1, 28, 28));
        assertEquals("image " + file + " decodes to 32-bit samples, expected at most 16 bits a sample",
                e.getMessage());
        assertEquals(1, ImageLoader.load(Files.write(dir.resolve("grey.tiff"), tiff(8)), 1, 1, 1).length);
    }

    @Test
    void theHeapLimitsThePixelsAsWellAsTheFixedCap() {
        assertEquals(ImageLoader.MAX_PIXELS, ImageLoader.pixelLimit(64L << 30));
        assertEquals((1L << 30) / ImageLoader.HEAP_BYTES_PER_PIXEL, ImageLoader.pixelLimit(1L << 30));
    }

    private static int[] toInts(byte[] bytes) {
        int[] values = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            values[i] = unsigned(bytes[i]);
        }
        return values;
    }
}
