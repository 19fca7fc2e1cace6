package dev.jasg.viewer.demo;

import java.util.SplittableRandom;

/**
 * Fashion-MNIST-shaped stand-in data for machines without the dataset: 28x28 grey images of ten
 * simple shapes (bars, diagonals, a cross, an X, a square, a disk, a ring, a checkerboard), each
 * drawn at a random offset and brightness over Gaussian noise, so a small model learns them in a
 * few hundred steps but not in one.
 */
public final class SyntheticImages {
    /** Image side. */
    public static final int SIDE = 28;
    /** Number of shapes (classes). */
    public static final int CLASSES = 10;

    private SyntheticImages() {}

    /** Pixels of {@code n} images, row-major [n, 1, 28, 28] in [0, 1], and their labels, from {@code seed}. */
    public static Images generate(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * SIDE * SIDE];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(CLASSES);
            labels[i] = c;
            int dx = r.nextInt(7) - 3, dy = r.nextInt(7) - 3;
            double bright = 0.6 + 0.4 * r.nextDouble();
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    double v = shape(c, x - dx - SIDE / 2.0 + 0.5, y - dy - SIDE / 2.0 + 0.5) * bright + 0.15 * gaussian(r);
                    px[i * SIDE * SIDE + y * SIDE + x] = (float) Math.min(1, Math.max(0, v));
                }
            }
        }
        return new Images(px, labels);
    }

    /** Intensity of shape {@code c} at offset (u, v) from the centre. */
    private static double shape(int c, double u, double v) {
        double r = Math.hypot(u, v);
        return switch (c) {
            case 0 -> Math.abs(v) < 2.5 && Math.abs(u) < 10 ? 1 : 0;                       // horizontal bar
            case 1 -> Math.abs(u) < 2.5 && Math.abs(v) < 10 ? 1 : 0;                       // vertical bar
            case 2 -> Math.abs(u - v) < 3 && r < 11 ? 1 : 0;                                // diagonal \
            case 3 -> Math.abs(u + v) < 3 && r < 11 ? 1 : 0;                                // diagonal /
            case 4 -> (Math.abs(u) < 2 || Math.abs(v) < 2) && Math.max(Math.abs(u), Math.abs(v)) < 9 ? 1 : 0; // plus
            case 5 -> (Math.abs(u - v) < 2.5 || Math.abs(u + v) < 2.5) && r < 10 ? 1 : 0;  // X
            case 6 -> Math.max(Math.abs(u), Math.abs(v)) < 8 && Math.max(Math.abs(u), Math.abs(v)) > 5 ? 1 : 0; // square outline
            case 7 -> r < 7 ? 1 : 0;                                                          // disk
            case 8 -> r < 9 && r > 6 ? 1 : 0;                                                 // ring
            default -> Math.max(Math.abs(u), Math.abs(v)) < 9 && ((int) Math.floor((u + 9) / 4.5) + (int) Math.floor((v + 9) / 4.5)) % 2 == 0 ? 1 : 0; // checkerboard
        };
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Images and labels.
     *
     * @param pixels row-major [n, 1, 28, 28], in [0, 1]
     * @param labels class per image
     */
    public record Images(float[] pixels, int[] labels) {
        /** Number of images. */
        public int size() {
            return labels.length;
        }
    }
}
