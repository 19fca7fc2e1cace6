package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

/**
 * torchvision's {@code ToTensor()} for an image held as {@code [H, W, C]} with values 0..255 (what
 * {@link dev.jasg.nn.data.ImageFolder#readRgb} returns, numpy's layout): the result is
 * {@code [C, H, W]} with {@code out[c, y, x] = in[y, x, c] / 255}; an {@code [H, W]} image becomes
 * {@code [1, H, W]}. Unlike torchvision, which divides only uint8 input, the division always
 * happens (host tensors have no uint8 type).
 */
public final class ToTensor implements Transform {
    @Override
    public HostTensor apply(HostTensor x) {
        int[] d = x.shape().dims();
        if (d.length != 2 && d.length != 3) throw new IllegalArgumentException("ToTensor needs an image [H, W, C] or [H, W], got " + x.shape());
        int h = d[0], w = d[1], c = d.length == 3 ? d[2] : 1;
        float[] in = x.floats(), out = new float[in.length];
        for (int y = 0; y < h; y++) {
            for (int i = 0; i < w; i++) {
                for (int ch = 0; ch < c; ch++) out[(ch * h + y) * w + i] = in[(y * w + i) * c + ch] / 255f;
            }
        }
        return HostTensor.of(out, c, h, w);
    }
}
