package dev.jasg.nn;

import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.PixelShuffle}: {@code [N, C r^2, H, W] -> [N, C, H r, W r]},
 * {@code y[n, c, h r + i, w r + j] = x[n, c r^2 + i r + j, h, w]}: a reshape to
 * {@code [N, C, r, r, H, W]}, a permute to {@code [N, C, H, r, W, r]} and a reshape.
 */
public final class PixelShuffle extends Layer {
    private final int r;

    /** The given {@code upscale_factor} (>= 1). */
    public PixelShuffle(int upscaleFactor) {
        if (upscaleFactor < 1) throw new IllegalArgumentException("PixelShuffle: upscale_factor must be >= 1, got " + upscaleFactor);
        this.r = upscaleFactor;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("PixelShuffle: expected an NCHW input of rank 4, got " + x.shape() + " at node " + x.id());
        for (int i = 1; i < 4; i++) {
            if (x.shape().isSymbolic(i)) throw new IllegalArgumentException("PixelShuffle: axis " + i + " of " + x.shape() + " must be concrete at node " + x.id());
        }
        Object n = x.shape().parts().get(0);
        int c = x.shape().dim(1), h = x.shape().dim(2), w = x.shape().dim(3);
        if (c % (r * r) != 0) throw new IllegalArgumentException("PixelShuffle: channels " + c + " of " + x.shape() + " must be divisible by " + r * r + " at node " + x.id());
        return x.reshape(Shape.symbolic(n, c / (r * r), r, r, h, w)).permute(0, 1, 4, 2, 5, 3).reshape(Shape.symbolic(n, c / (r * r), h * r, w * r));
    }

    @Override
    protected String extraRepr() {
        return "upscale_factor=" + r;
    }
}
