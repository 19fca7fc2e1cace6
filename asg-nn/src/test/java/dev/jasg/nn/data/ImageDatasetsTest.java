package dev.jasg.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.HostTensor;
import dev.jasg.nn.data.transform.ToTensor;
import dev.jasg.nn.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@link Cifar} and {@link ImageFolder} on small files the test writes in each format. */
class ImageDatasetsTest {
    @TempDir
    Path dir;

    // Pixel p of record r: (r * 7 + p) % 256; the label bytes are given.
    private static byte[] records(int labelBytes, int[][] labels) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int r = 0; r < labels.length; r++) {
            for (int l : labels[r]) out.write(l);
            for (int p = 0; p < Cifar.IMAGE_BYTES; p++) out.write((r * 7 + p) % 256);
        }
        return out.toByteArray();
    }

    @Test
    void cifar10BatchesConcatenate() throws IOException {
        Path a = Files.write(dir.resolve("data_batch_1.bin"), records(1, new int[][] {{3}, {9}}));
        Path b = Files.write(dir.resolve("data_batch_2.bin"), records(1, new int[][] {{0}}));
        InMemoryDataset d = Cifar.cifar10(a, b);
        assertEquals(3, d.size());
        assertArrayEquals(new int[] {3, 32, 32}, d.get(0).features().shape().dims());
        assertEquals(List.of(3.0, 9.0, 0.0), List.of(d.get(0).label().item(), d.get(1).label().item(), d.get(2).label().item()));
        // record 1, red plane pixel (0, 5) = byte 5: (1*7 + 5) / 255; blue plane starts at 2048
        assertEquals(12 / 255f, d.get(1).features().get(5), 1e-7);
        assertEquals(((7 + 2048) % 256) / 255f, d.get(1).features().get(2048), 1e-7);
        assertEquals(0f, d.get(2).features().get(0), 1e-7);
    }

    @Test
    void cifar100CarriesCoarseAndFineLabels() throws IOException {
        Path f = Files.write(dir.resolve("train.bin"), records(2, new int[][] {{4, 72}, {19, 99}}));
        InMemoryDataset fine = Cifar.cifar100(Cifar.Label.FINE, f), coarse = Cifar.cifar100(Cifar.Label.COARSE, f);
        assertEquals(72.0, fine.get(0).label().item());
        assertEquals(99.0, fine.get(1).label().item());
        assertEquals(4.0, coarse.get(0).label().item());
        assertEquals(19.0, coarse.get(1).label().item());
        assertEquals(8 / 255f, fine.get(1).features().get(1), 1e-7);
        assertEquals(2, Cifar.cifar100(dir, true, Cifar.Label.FINE).size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "cifar-10 file read as cifar-100 | 100 | 3073 | 0 | not a positive multiple of the 3074-byte record",
            "cifar-100 file read as cifar-10 | 10  | 3074 | 0 | not a positive multiple of the 3073-byte record",
            "empty file                      | 10  | 0    | 0 | file is 0 bytes",
            "cifar-10 label 10               | 10  | 3073 | 10 | record 0 (byte offset 0) has label 10, outside 0..9",
            "cifar-100 fine label 100        | 100 | 3074 | 100 | record 0 (byte offset 0) has label 100, outside 0..99",
    })
    void malformedFilesNameTheFileAndTheProblem(String name, int kind, int bytes, int label, String expected) throws IOException {
        byte[] b = new byte[bytes];
        if (bytes > 0) b[kind == 10 ? 0 : 1] = (byte) label;
        Path f = Files.write(dir.resolve("bad.bin"), b);
        FormatException e = assertThrows(FormatException.class,
                () -> { if (kind == 10) Cifar.cifar10(f); else Cifar.cifar100(Cifar.Label.FINE, f); });
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(expected), name + ": " + e.getMessage());
    }

    private static void write(BufferedImage img, String format, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, format, file.toFile()), "no ImageIO writer for " + format);
    }

    private static BufferedImage rgb(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (0x80 << 24) | ((x * 40) << 16) | ((y * 50) << 8) | 200);
        return img;
    }

    @Test
    void imageFolderSortsClassesAndFilesAndConvertsToRgb() throws IOException {
        write(rgb(3, 2, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("dog/b.png"));
        write(rgb(3, 2, BufferedImage.TYPE_INT_ARGB), "png", dir.resolve("dog/a.PNG"));
        BufferedImage flat = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) flat.setRGB(x, y, (30 << 16) | (120 << 8) | 200);
        write(flat, "jpg", dir.resolve("cat/nested/x.jpg"));
        BufferedImage gray = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 17);
        gray.getRaster().setSample(1, 1, 0, 200);
        write(gray, "png", dir.resolve("ant/g.png"));
        Files.writeString(dir.resolve("dog/notes.txt"), "not an image, ignored");
        Files.writeString(dir.resolve("README"), "a file at the root is not a class");

        ImageFolder d = new ImageFolder(dir);
        assertEquals(List.of("ant", "cat", "dog"), d.classes());
        assertEquals(Map.of("ant", 0, "cat", 1, "dog", 2), d.classToIdx());
        assertEquals(List.of("g.png", "x.jpg", "a.PNG", "b.png"), d.items().stream().map(i -> i.file().getFileName().toString()).toList());
        assertEquals(4, d.size());

        HostTensor g = d.get(0).features();
        assertArrayEquals(new int[] {2, 2, 3}, g.shape().dims());
        // gray values are copied to R, G and B unchanged (no colour-space conversion)
        assertArrayEquals(new float[] {17, 17, 17, 0, 0, 0, 0, 0, 0, 200, 200, 200}, g.floats());
        assertEquals(0.0, d.get(0).label().item());

        HostTensor png = d.get(3).features(), alpha = d.get(2).features();
        assertArrayEquals(new int[] {2, 3, 3}, png.shape().dims());
        // pixel (y=1, x=2): R = 80, G = 50, B = 200; alpha is dropped
        assertArrayEquals(new double[] {80, 50, 200}, new double[] {png.get(15), png.get(16), png.get(17)});
        assertArrayEquals(png.floats(), alpha.floats());
        assertEquals(2.0, d.get(3).label().item());

        HostTensor jpg = d.get(1).features();
        assertArrayEquals(new int[] {8, 8, 3}, jpg.shape().dims());
        // JPEG is lossy, but a flat colour survives within a few levels
        assertEquals(30, jpg.get(0), 3);
        assertEquals(120, jpg.get(1), 3);
        assertEquals(200, jpg.get(2), 3);

        ImageFolder t = new ImageFolder(dir, new ToTensor());
        assertArrayEquals(new int[] {3, 2, 3}, t.get(3).features().shape().dims());
        assertEquals(80 / 255f, t.get(3).features().get(5), 1e-6);
    }

    @Test
    void aCorruptImageIsAFormatErrorNamingTheFile() throws IOException {
        Path bad = Files.createDirectories(dir.resolve("cls")).resolve("broken.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        ImageFolder d = new ImageFolder(dir);
        FormatException e = assertThrows(FormatException.class, () -> d.get(0));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void anEmptyClassFolderIsAnErrorNamingIt() throws IOException {
        write(rgb(1, 1, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("a/1.png"));
        Files.createDirectories(dir.resolve("b"));
        FormatException e = assertThrows(FormatException.class, () -> new ImageFolder(dir));
        assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains(dir.resolve("b").toString()), e.getMessage());
        FormatException none = assertThrows(FormatException.class, () -> new ImageFolder(dir.resolve("a")));
        assertTrue(none.getMessage().contains("no class folder"), none.getMessage());
    }
}
