package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

/**
 * torchvision's {@code Resize(size)} with bilinear interpolation, on an image {@code [C, H, W]} (or
 * {@code [H, W]}). With one {@code size} the shorter side becomes {@code size} and the longer one
 * {@code int(size * long / short)} (truncated), keeping the aspect ratio; with {@code (height, width)}
 * the image becomes exactly that.
 *
 * <p>Bilinear as {@code F.interpolate(mode="bilinear", align_corners=False)}, which is what
 * torchvision 0.14 does to a tensor image (with {@code antialias} off, its default for tensors):
 * output pixel {@code i} reads input coordinate {@code s = max(0, (i + 0.5) * in/out - 0.5)},
 * {@code out = (1 - f) x[floor s] + f x[min(floor s + 1, in - 1)]}, {@code f = s - floor s}, per axis.
 * Difference: torchvision on a PIL image uses PIL's antialiased filter, which gives other values
 * when shrinking (the same when enlarging only up to rounding to uint8).
 */
public final class Resize implements Transform {
    private final int size;
    private final int height;
    private final int width;

    /** Resizes the shorter side to {@code size}, keeping the aspect ratio. */
    public Resize(int size) {
        if (size < 1) throw new IllegalArgumentException("Resize: size must be positive, got " + size);
        this.size = size;
        this.height = -1;
        this.width = -1;
    }

    /** Resizes to exactly {@code height x width}. */
    public Resize(int height, int width) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("Resize: size must be positive, got " + height + "x" + width);
        this.size = -1;
        this.height = height;
        this.width = width;
    }

    /** The output {@code {height, width}} for an {@code h x w} input. */
    public int[] outputSize(int h, int w) {
        if (size < 0) return new int[] {height, width};
        int shortSide = Math.min(h, w), longSide = Math.max(h, w);
        int newLong = (int) ((long) size * longSide / shortSide);
        return w <= h ? new int[] {newLong, size} : new int[] {size, newLong};
    }

    @Override
    public HostTensor apply(HostTensor x) {
        int[] d = x.shape().dims();
        if (d.length != 2 && d.length != 3) throw new IllegalArgumentException("Resize needs [C, H, W] or [H, W], got " + x.shape());
        int c = d.length == 3 ? d[0] : 1, h = d[d.length - 2], w = d[d.length - 1];
        int[] o = outputSize(h, w);
        int oh = o[0], ow = o[1];
        int[] y0 = new int[oh], y1 = new int[oh], x0 = new int[ow], x1 = new int[ow];
        float[] fy = new float[oh], fx = new float[ow];
        axis(h, oh, y0, y1, fy);
        axis(w, ow, x0, x1, fx);
        float[] in = x.floats(), out = new float[c * oh * ow];
        for (int ch = 0; ch < c; ch++) {
            int base = ch * h * w;
            for (int i = 0; i < oh; i++) {
                int r0 = base + y0[i] * w, r1 = base + y1[i] * w;
                float b = fy[i], a = 1 - b;
                for (int j = 0; j < ow; j++) {
                    float top = (1 - fx[j]) * in[r0 + x0[j]] + fx[j] * in[r0 + x1[j]];
                    float bottom = (1 - fx[j]) * in[r1 + x0[j]] + fx[j] * in[r1 + x1[j]];
                    out[(ch * oh + i) * ow + j] = a * top + b * bottom;
                }
            }
        }
        return d.length == 3 ? HostTensor.of(out, c, oh, ow) : HostTensor.of(out, oh, ow);
    }

    // PyTorch's area_pixel_compute_source_index for linear modes, align_corners=False.
    private static void axis(int in, int out, int[] lo, int[] hi, float[] frac) {
        float scale = (float) in / out;
        for (int i = 0; i < out; i++) {
            float s = Math.max(0f, (i + 0.5f) * scale - 0.5f);
            int f = (int) s;
            lo[i] = Math.min(f, in - 1);
            hi[i] = Math.min(f + 1, in - 1);
            frac[i] = s - f;
        }
    }

    @Override
    public String toString() {
        return "Resize(size=" + (size > 0 ? Integer.toString(size) : "(" + height + ", " + width + ")") + ", interpolation=bilinear)";
    }
}
