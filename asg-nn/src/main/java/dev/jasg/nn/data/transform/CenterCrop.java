package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

/**
 * torchvision's {@code CenterCrop(size)} on an image {@code [C, H, W]} (or {@code [H, W]}): the
 * {@code height x width} window whose top-left corner is {@code (round((H - height) / 2),
 * round((W - width) / 2))}, rounding half to even as Python's {@code round}. A crop larger than the
 * image pads it with zeros first, {@code (height - H) / 2} rows on top (floor) and the rest below,
 * and likewise for columns, as torchvision does.
 */
public final class CenterCrop implements Transform {
    private final int height;
    private final int width;

    /** A square {@code size x size} crop. */
    public CenterCrop(int size) {
        this(size, size);
    }

    /** A {@code height x width} crop. */
    public CenterCrop(int height, int width) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("CenterCrop: size must be positive, got " + height + "x" + width);
        this.height = height;
        this.width = width;
    }

    @Override
    public HostTensor apply(HostTensor x) {
        int[] d = x.shape().dims();
        if (d.length != 2 && d.length != 3) throw new IllegalArgumentException("CenterCrop needs [C, H, W] or [H, W], got " + x.shape());
        int c = d.length == 3 ? d[0] : 1, h = d[d.length - 2], w = d[d.length - 1];
        int top = offset(h, height), left = offset(w, width);
        float[] in = x.floats(), out = new float[c * height * width];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < height; i++) {
                int sy = top + i;
                if (sy < 0 || sy >= h) continue;
                for (int j = 0; j < width; j++) {
                    int sx = left + j;
                    if (sx >= 0 && sx < w) out[(ch * height + i) * width + j] = in[(ch * h + sy) * w + sx];
                }
            }
        }
        return d.length == 3 ? HostTensor.of(out, c, height, width) : HostTensor.of(out, height, width);
    }

    // Source index of the crop's first row/column: negative when the crop is larger (zero padding).
    private static int offset(int n, int crop) {
        if (crop > n) return -((crop - n) / 2);
        return (int) Math.rint((n - crop) / 2.0);
    }

    @Override
    public String toString() {
        return "CenterCrop(size=(" + height + ", " + width + "))";
    }
}
