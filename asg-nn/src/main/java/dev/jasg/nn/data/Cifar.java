package dev.jasg.nn.data;

import dev.jasg.core.HostTensor;
import dev.jasg.nn.io.FormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader of the CIFAR-10 and CIFAR-100 binary versions ({@code cifar-10-binary.tar.gz},
 * {@code cifar-100-binary.tar.gz}, unpacked). A CIFAR-10 file ({@code data_batch_1.bin} ..
 * {@code data_batch_5.bin}, {@code test_batch.bin}) is a sequence of 3073-byte records: one label
 * byte (0..9) and 3072 pixel bytes, the 32x32 red plane, then green, then blue, each row-major.
 * A CIFAR-100 file ({@code train.bin}, {@code test.bin}) has 3074-byte records: a coarse label
 * byte (0..19), a fine label byte (0..99), then the same 3072 pixels.
 *
 * <p>Images come out as torchvision's {@code ToTensor()} gives them: F32 {@code [N, 3, 32, 32]}
 * scaled to [0, 1]; labels are I32 {@code [N]}. A file whose length is not a whole number of
 * records, an empty file or a label out of range throws {@link FormatException} naming the file,
 * the record and the value; nothing is allocated from a size before the file length is checked.
 */
public final class Cifar {
    /** Pixels per image: 3 channels of 32 x 32. */
    public static final int IMAGE_BYTES = 3 * 32 * 32;

    /** CIFAR-10's class names, by label (as {@code batches.meta.txt}). */
    public static final List<String> CIFAR10_CLASSES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    /** Which CIFAR-100 label a dataset carries. */
    public enum Label {
        /** The 20 superclasses (first label byte). */
        COARSE,
        /** The 100 classes (second label byte), torchvision's {@code CIFAR100} targets. */
        FINE
    }

    private Cifar() {}

    /** CIFAR-10 training set: {@code data_batch_1.bin} .. {@code data_batch_5.bin} in {@code dir} (or {@code dir/cifar-10-batches-bin}). */
    public static InMemoryDataset cifar10Train(Path dir) throws IOException {
        Path d = folder(dir, "cifar-10-batches-bin", "data_batch_1.bin");
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= 5; i++) files.add(d.resolve("data_batch_" + i + ".bin"));
        return cifar10(files.toArray(Path[]::new));
    }

    /** CIFAR-10 test set: {@code test_batch.bin} in {@code dir} (or {@code dir/cifar-10-batches-bin}). */
    public static InMemoryDataset cifar10Test(Path dir) throws IOException {
        return cifar10(folder(dir, "cifar-10-batches-bin", "test_batch.bin").resolve("test_batch.bin"));
    }

    /** CIFAR-100 {@code train.bin} (train) or {@code test.bin} in {@code dir} (or {@code dir/cifar-100-binary}), with {@code label}. */
    public static InMemoryDataset cifar100(Path dir, boolean train, Label label) throws IOException {
        String name = train ? "train.bin" : "test.bin";
        return cifar100(label, folder(dir, "cifar-100-binary", name).resolve(name));
    }

    /** CIFAR-10 batches {@code files}, concatenated in order. */
    public static InMemoryDataset cifar10(Path... files) throws IOException {
        return read(files, 1, 0, 10);
    }

    /** CIFAR-100 files {@code files}, concatenated in order, labelled by {@code label}. */
    public static InMemoryDataset cifar100(Label label, Path... files) throws IOException {
        return label == Label.COARSE ? read(files, 2, 0, 20) : read(files, 2, 1, 100);
    }

    private static Path folder(Path dir, String sub, String probe) throws IOException {
        if (Files.isRegularFile(dir.resolve(probe))) return dir;
        if (Files.isRegularFile(dir.resolve(sub).resolve(probe))) return dir.resolve(sub);
        throw new NoSuchFileException(dir.resolve(probe).toString(), null,
                "no CIFAR file " + probe + " in " + dir + " or " + dir.resolve(sub) + " (unpack the binary version from https://www.cs.toronto.edu/~kriz/cifar.html)");
    }

    private static InMemoryDataset read(Path[] files, int labelBytes, int labelIndex, int classes) throws IOException {
        if (files.length == 0) throw new IllegalArgumentException("Cifar: no files given");
        int record = labelBytes + IMAGE_BYTES;
        long total = 0;
        long[] counts = new long[files.length];
        for (int f = 0; f < files.length; f++) {
            long size = Files.size(files[f]);
            if (size == 0 || size % record != 0) {
                throw new FormatException(files[f], "file is " + size + " bytes, not a positive multiple of the " + record
                        + "-byte record (" + labelBytes + " label byte" + (labelBytes == 1 ? "" : "s") + " + " + IMAGE_BYTES + " pixels)"
                        + (classes == 10 ? "; a CIFAR-100 file has " + (record + 1) + "-byte records" : "; a CIFAR-10 file has " + (record - 1) + "-byte records"));
            }
            counts[f] = size / record;
            total += counts[f];
        }
        if (total * IMAGE_BYTES > Integer.MAX_VALUE - 8) {
            throw new FormatException(files[0], total + " images in " + files.length + " files are more than one host tensor holds");
        }
        int n = (int) total;
        float[] px = new float[n * IMAGE_BYTES];
        int[] labels = new int[n];
        byte[] buf = new byte[record];
        int at = 0;
        for (int f = 0; f < files.length; f++) {
            try (InputStream in = Files.newInputStream(files[f])) {
                for (long r = 0; r < counts[f]; r++, at++) {
                    if (in.readNBytes(buf, 0, record) != record) {
                        throw new FormatException(files[f], "truncated at record " + r + " (the file changed while it was read)");
                    }
                    int label = buf[labelIndex] & 0xFF;
                    if (label >= classes) {
                        throw new FormatException(files[f], "record " + r + " (byte offset " + r * record + ") has label " + label
                                + ", outside 0.." + (classes - 1));
                    }
                    labels[at] = label;
                    int base = at * IMAGE_BYTES;
                    for (int i = 0; i < IMAGE_BYTES; i++) px[base + i] = (buf[labelBytes + i] & 0xFF) / 255f;
                }
            }
        }
        return new InMemoryDataset(HostTensor.of(px, n, 3, 32, 32), HostTensor.ofInts(labels, n));
    }
}
