package dev.jasg.nn.spec;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.nn.data.Csv;
import dev.jasg.nn.data.Dataset;
import dev.jasg.nn.data.FashionMnist;
import dev.jasg.nn.data.ImageFolder;
import dev.jasg.nn.data.InMemoryDataset;
import dev.jasg.nn.data.Sample;
import dev.jasg.nn.data.SubsetDataset;
import dev.jasg.nn.data.transform.Compose;
import dev.jasg.nn.data.transform.Resize;
import dev.jasg.nn.data.transform.ToTensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The datasets of {@link DatasetKind}, as plain library calls: what a spec's training and the
 * Java that {@link JavaExport} writes both call, so both see the same examples in the same order.
 *
 * <p>Stateless; the returned datasets are as thread-safe as their classes
 * ({@link InMemoryDataset} is immutable).
 */
public final class SpecData {
    private SpecData() {}

    /** The Fashion-MNIST training set from {@code dir}, its first {@code limit} examples (0: all). */
    public static Dataset<Sample> fashionMnist(String dir, int limit) {
        try {
            return first(FashionMnist.train(Path.of(dir)), limit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Fashion-MNIST from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A CSV file's rows, label column {@code labelColumn} as {@code labelType}, first {@code limit} rows (0: all). */
    public static Dataset<Sample> csv(String path, String labelColumn, String delimiter, boolean header, DType labelType, int limit) {
        if (delimiter.length() != 1) throw new IllegalArgumentException("csv: the delimiter must be one character, got \"" + delimiter + "\"");
        Csv.Options o = Csv.Options.defaults().withLabel(labelColumn, labelType).withDelimiter(delimiter.charAt(0));
        if (!header) o = o.withoutHeader();
        try {
            return first(Csv.read(Path.of(path), o).toDataset(), limit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** The images under {@code path}, as F32 {@code [3, height, width]} in [0, 1], first {@code limit} (0: all). */
    public static Dataset<Sample> imageFolder(String path, int height, int width, int limit) {
        try {
            return first(new ImageFolder(Path.of(path), new Compose(new ToTensor(), new Resize(height, width))), limit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the image folder " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code size} examples with standard normal features of shape {@code example}; with
     * {@code classes > 0}, I32 labels {@code argmax(W x)}, else F32 targets {@code tanh(W x)} of
     * shape {@code target}, for a matrix {@code W} drawn, as the features, from {@code seed}.
     */
    public static Dataset<Sample> synthetic(int[] example, int size, int classes, int[] target, long seed, int limit) {
        Random r = new Random(seed);
        int f = Math.toIntExact(Shape.of(example).size());
        int out = classes > 0 ? classes : Math.toIntExact(Shape.of(target).size());
        double[] w = new double[out * f];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian() / Math.sqrt(f);
        float[] x = new float[size * f];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] fx = new int[example.length + 1];
        fx[0] = size;
        System.arraycopy(example, 0, fx, 1, example.length);
        HostTensor features = HostTensor.of(x, fx);
        HostTensor labels;
        if (classes > 0) {
            int[] lab = new int[size];
            for (int n = 0; n < size; n++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    double s = dot(w, c * f, x, n * f, f);
                    if (s > best) {
                        best = s;
                        lab[n] = c;
                    }
                }
            }
            labels = HostTensor.ofInts(lab, size);
        } else {
            float[] y = new float[size * out];
            for (int n = 0; n < size; n++) for (int o = 0; o < out; o++) y[n * out + o] = (float) Math.tanh(dot(w, o * f, x, n * f, f));
            int[] ty = new int[target.length + 1];
            ty[0] = size;
            System.arraycopy(target, 0, ty, 1, target.length);
            labels = HostTensor.of(y, ty);
        }
        return first(new InMemoryDataset(features, labels), limit);
    }

    private static double dot(double[] w, int wo, float[] x, int xo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += w[wo + i] * x[xo + i];
        return s;
    }

    /** How many of {@code size} examples a held-out fraction {@code validation} keeps out of training: none for 0, else at least one. */
    public static int heldOutCount(int size, double validation) {
        if (!(validation >= 0 && validation < 1)) throw new IllegalArgumentException("validation: the held-out fraction must be in [0, 1), got " + validation);
        return validation == 0 ? 0 : Math.max(1, (int) Math.round(size * validation));
    }

    /** The examples trained on: all but the last {@link #heldOutCount} of {@code d}. */
    public static Dataset<Sample> trainingPart(Dataset<Sample> d, double validation) {
        int n = d.size() - heldOutCount(d.size(), validation);
        return n == d.size() ? d : new SubsetDataset<>(d, IntStream.range(0, n).toArray());
    }

    /** The held-out examples: the last {@link #heldOutCount} of {@code d} (empty for 0). */
    public static Dataset<Sample> heldOutPart(Dataset<Sample> d, double validation) {
        int h = heldOutCount(d.size(), validation);
        return new SubsetDataset<>(d, IntStream.range(d.size() - h, d.size()).toArray());
    }

    private static Dataset<Sample> first(Dataset<Sample> d, int limit) {
        if (limit <= 0 || limit >= d.size()) return d;
        return new SubsetDataset<>(d, IntStream.range(0, limit).toArray());
    }
}
