package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

import java.util.SplittableRandom;

/**
 * A random {@code height x width} window of an image [C, H, W] (or [H, W]) after zero
 * padding of {@code padding} pixels on every side, as torchvision's
 * {@code RandomCrop(size, padding)}: the top-left corner is uniform over the
 * {@code (H + 2p - h + 1) x (W + 2p - w + 1)} positions.
 */
public final class RandomCrop implements Transform {
    private final int height;
    private final int width;
    private final int padding;
    private final SplittableRandom random;

    /** Crops of {@code height x width} after {@code padding} zeros on each side, positions drawn from {@code seed}. */
    public RandomCrop(int height, int width, int padding, long seed) {
        if (height < 1 || width < 1 || padding < 0) throw new IllegalArgumentException("bad crop " + height + "x" + width + " padding " + padding);
        this.height = height;
        this.width = width;
        this.padding = padding;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public HostTensor apply(HostTensor x) {
        int[] d = x.shape().dims();
        if (d.length != 2 && d.length != 3) throw new IllegalArgumentException("RandomCrop needs [C, H, W] or [H, W], got " + x.shape());
        int c = d.length == 3 ? d[0] : 1, h = d[d.length - 2], w = d[d.length - 1];
        int ph = h + 2 * padding, pw = w + 2 * padding;
        if (height > ph || width > pw) {
            throw new IllegalArgumentException("crop " + height + "x" + width + " is larger than the padded image " + ph + "x" + pw);
        }
        int top, left;
        synchronized (this) {
            top = random.nextInt(ph - height + 1);
            left = random.nextInt(pw - width + 1);
        }
        float[] in = x.floats();
        float[] out = new float[c * height * width];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < height; i++) {
                int sy = top + i - padding;
                if (sy < 0 || sy >= h) continue;
                for (int j = 0; j < width; j++) {
                    int sx = left + j - padding;
                    if (sx >= 0 && sx < w) out[(ch * height + i) * width + j] = in[(ch * h + sy) * w + sx];
                }
            }
        }
        int[] dims = d.length == 3 ? new int[] {c, height, width} : new int[] {height, width};
        return HostTensor.of(out, dims);
    }
}
