package dev.jasg.viewer.demo;

import dev.jasg.core.HostTensor;
import dev.jasg.nn.data.FashionMnist;
import dev.jasg.nn.data.InMemoryDataset;
import dev.jasg.viewer.lab.BatchSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The demo's images: Fashion-MNIST when it is found (the given directory, else Debian's
 * {@value FashionMnist#DEBIAN_DIR}), otherwise {@link SyntheticImages}. Pixels are standardised
 * with Fashion-MNIST's mean and deviation; batches are drawn in a new seeded order every epoch.
 * A fixed held-out set gives the accuracy after each epoch.
 */
public final class DemoData implements BatchSource {
    /** Mean and standard deviation of Fashion-MNIST's training pixels in [0, 1]. */
    static final float MEAN = 0.2860f, STD = 0.3530f;
    private static final int PIXELS = 28 * 28;

    private final String description;
    private final Path directory;
    private final List<String> classes;
    private final float[] trainX;
    private final int[] trainY;
    private final float[] testX;
    private final int[] testY;
    private final int batch;
    private final long seed;
    private int[] order;
    private int cursor;

    private DemoData(String description, Path directory, List<String> classes, float[] trainX, int[] trainY, float[] testX, int[] testY, int batch, long seed) {
        this.description = description;
        this.directory = directory;
        this.classes = classes;
        this.trainX = standardise(trainX);
        this.trainY = trainY;
        this.testX = standardise(testX);
        this.testY = testY;
        this.batch = batch;
        this.seed = seed;
        startEpoch(1);
    }

    /**
     * Fashion-MNIST from {@code dir} (null: Debian's directory) when it is there, else synthetic
     * images; {@code limit} caps the training images (0: all), the held-out set is at most 2,000.
     */
    public static DemoData load(Path dir, boolean synthetic, int batch, int limit, long seed) throws IOException {
        Path where = dir != null ? dir : Path.of(FashionMnist.DEBIAN_DIR);
        if (!synthetic && FashionMnist.find(where).isPresent()) {
            InMemoryDataset train = FashionMnist.train(where), test = FashionMnist.test(where);
            int n = limit > 0 ? Math.min(limit, train.size()) : train.size();
            int m = Math.min(2000, test.size());
            return new DemoData("Fashion-MNIST (" + where + ")", where, FashionMnist.CLASSES, head(train.features(), n * PIXELS), ints(train.labels(), n),
                    head(test.features(), m * PIXELS), ints(test.labels(), m), batch, seed);
        }
        return synthetic(limit > 0 ? limit : 12_000, batch, seed);
    }

    /** {@code n} synthetic training images and 1,000 held-out ones. */
    public static DemoData synthetic(int n, int batch, long seed) {
        SyntheticImages.Images train = SyntheticImages.generate(n, seed), test = SyntheticImages.generate(1000, seed + 1_000_003);
        return new DemoData("synthetic shapes", null, List.of("—", "|", "\\", "/", "+", "×", "□", "●", "○", "▦"),
                train.pixels(), train.labels(), test.pixels(), test.labels(), batch, seed);
    }

    private static float[] head(HostTensor t, int n) {
        float[] all = t.floats();
        return java.util.Arrays.copyOf(all, n);
    }

    private static int[] ints(HostTensor t, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = (int) t.get(i);
        return out;
    }

    private static float[] standardise(float[] px) {
        float[] out = new float[px.length];
        for (int i = 0; i < px.length; i++) out[i] = (px[i] - MEAN) / STD;
        return out;
    }

    /** Where the images came from, in English. */
    public String description() {
        return description;
    }

    /** The Fashion-MNIST directory, or null for synthetic images. */
    public Path directory() {
        return directory;
    }

    /** The class names. */
    public List<String> classes() {
        return classes;
    }

    /** Training images. */
    public int trainSize() {
        return trainY.length;
    }

    @Override
    public int batchesPerEpoch() {
        return Math.max(1, trainY.length / batch);
    }

    @Override
    public void startEpoch(int epoch) {
        SplittableRandom r = new SplittableRandom(seed * 31 + epoch);
        order = new int[trainY.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        cursor = 0;
    }

    @Override
    public Map<String, HostTensor> next() {
        int b = Math.min(batch, trainY.length);
        if (cursor + b > order.length) cursor = 0;
        float[] x = new float[b * PIXELS];
        int[] y = new int[b];
        for (int i = 0; i < b; i++) {
            int k = order[cursor++];
            System.arraycopy(trainX, k * PIXELS, x, i * PIXELS, PIXELS);
            y[i] = trainY[k];
        }
        return Map.of("x", HostTensor.of(x, b, 1, 28, 28), "y", HostTensor.ofInts(y, b));
    }

    /** The held-out images, [m, 1, 28, 28]. */
    public HostTensor testImages() {
        return HostTensor.of(testX, testY.length, 1, 28, 28);
    }

    /** The held-out labels. */
    public int[] testLabels() {
        return testY.clone();
    }
}
