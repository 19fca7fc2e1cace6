package dev.jasg.nn.data;

import dev.jasg.core.HostTensor;
import dev.jasg.core.JasgException;
import dev.jasg.nn.io.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Locates and loads Fashion-MNIST (60,000 training and 10,000 test 28x28 grey-scale images of
 * 10 clothing classes) from its four IDX files, plain or {@code .gz}. The default location is
 * where Debian's {@code dataset-fashion-mnist} package installs them,
 * {@value #DEBIAN_DIR}; a directory can be given instead (an example's {@code --data DIR}).
 */
public final class FashionMnist {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

    /** The class names, by label. */
    public static final List<String> CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {}

    /** The four files of the dataset. */
    public record Files4(Path trainImages, Path trainLabels, Path testImages, Path testLabels) {}

    /** The files in {@code dir}, or empty when any of the four is missing. */
    public static Optional<Files4> find(Path dir) {
        Path a = pick(dir, "train-images-idx3-ubyte"), b = pick(dir, "train-labels-idx1-ubyte");
        Path c = pick(dir, "t10k-images-idx3-ubyte"), d = pick(dir, "t10k-labels-idx1-ubyte");
        return a == null || b == null || c == null || d == null ? Optional.empty() : Optional.of(new Files4(a, b, c, d));
    }

    private static Path pick(Path dir, String base) {
        for (String name : List.of(base + ".gz", base)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /**
     * The files in {@code dir}, or in {@value #DEBIAN_DIR} when {@code dir} is null; when they
     * are not there the exception says how to get them.
     */
    public static Files4 locate(Path dir) {
        Path where = dir != null ? dir : Path.of(DEBIAN_DIR);
        return find(where).orElseThrow(() -> new JasgException("Fashion-MNIST not found in " + where
                + " (need train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz). "
                + "On Debian/Ubuntu install it with 'sudo apt-get install dataset-fashion-mnist' (files go to " + DEBIAN_DIR + "), "
                + "or download the four files from https://github.com/zalandoresearch/fashion-mnist (folder data/fashion) and pass their directory (--data DIR)."));
    }

    /** The training set: features F32 [60000, 1, 28, 28] scaled to [0, 1], labels I32 [60000]. */
    public static InMemoryDataset train(Path dir) throws IOException {
        Files4 f = locate(dir);
        return load(f.trainImages(), f.trainLabels());
    }

    /** The test set: features F32 [10000, 1, 28, 28] scaled to [0, 1], labels I32 [10000]. */
    public static InMemoryDataset test(Path dir) throws IOException {
        Files4 f = locate(dir);
        return load(f.testImages(), f.testLabels());
    }

    /** Loads an image file [N, H, W] (ubyte) and a label file [N] (ubyte) into features [N, 1, H, W] / 255 and I32 labels. */
    public static InMemoryDataset load(Path images, Path labels) throws IOException {
        Idx.Header ih = Idx.readHeader(images), lh = Idx.readHeader(labels);
        if (ih.type() != Idx.ElementType.UBYTE || ih.dims().length != 3) throw new FormatException(images, "expected ubyte images [N, H, W], got " + ih.type() + " " + java.util.Arrays.toString(ih.dims()));
        if (lh.type() != Idx.ElementType.UBYTE || lh.dims().length != 1) throw new FormatException(labels, "expected ubyte labels [N], got " + lh.type() + " " + java.util.Arrays.toString(lh.dims()));
        if (ih.dims()[0] != lh.dims()[0]) throw new FormatException(labels, lh.dims()[0] + " labels for " + ih.dims()[0] + " images in " + images);
        HostTensor img = Idx.read(images), lab = Idx.read(labels);
        float[] px = img.floats();
        float[] scaled = new float[px.length];
        for (int i = 0; i < px.length; i++) scaled[i] = px[i] / 255f;
        int[] d = ih.dims();
        return new InMemoryDataset(HostTensor.of(scaled, d[0], 1, d[1], d[2]), lab);
    }
}
