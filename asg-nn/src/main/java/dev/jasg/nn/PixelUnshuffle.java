package dev.jasg.nn;

import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.PixelUnshuffle}, the inverse of {@link PixelShuffle}:
 * {@code [N, C, H r, W r] -> [N, C r^2, H, W]}: a reshape to {@code [N, C, H, r, W, r]}, a
 * permute to {@code [N, C, r, r, H, W]} and a reshape.
 */
public final class PixelUnshuffle extends Layer {
    private final int r;

    /** The given {@code downscale_factor} (>= 1). */
    public PixelUnshuffle(int downscaleFactor) {
        if (downscaleFactor < 1) throw new IllegalArgumentException("PixelUnshuffle: downscale_factor must be >= 1, got " + downscaleFactor);
        this.r = downscaleFactor;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("PixelUnshuffle: expected an NCHW input of rank 4, got " + x.shape() + " at node " + x.id());
        for (int i = 1; i < 4; i++) {
            if (x.shape().isSymbolic(i)) throw new IllegalArgumentException("PixelUnshuffle: axis " + i + " of " + x.shape() + " must be concrete at node " + x.id());
        }
        Object n = x.shape().parts().get(0);
        int c = x.shape().dim(1), h = x.shape().dim(2), w = x.shape().dim(3);
        if (h % r != 0 || w % r != 0) throw new IllegalArgumentException("PixelUnshuffle: H and W of " + x.shape() + " must be divisible by " + r + " at node " + x.id());
        return x.reshape(Shape.symbolic(n, c, h / r, r, w / r, r)).permute(0, 1, 3, 5, 2, 4).reshape(Shape.symbolic(n, c * r * r, h / r, w / r));
    }

    @Override
    protected String extraRepr() {
        return "downscale_factor=" + r;
    }
}
