package dev.jasg.viewer.demo;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;

/**
 * Cuts images {@code [B, 1, H, W]} into non-overlapping {@code p x p} patches, a sequence
 * {@code [B, (H/p)(W/p), p*p]} in row-major patch order: the tokens of a vision transformer.
 */
public final class Patchify extends Layer {
    private final int side;
    private final int patch;

    /** Patches of {@code patch x patch} pixels from square images of {@code side} pixels. */
    public Patchify(int side, int patch) {
        if (side % patch != 0) throw new IllegalArgumentException("Patchify: " + side + " is not a multiple of the patch size " + patch);
        this.side = side;
        this.patch = patch;
    }

    /** Tokens per image. */
    public int tokens() {
        return (side / patch) * (side / patch);
    }

    @Override
    public Tensor forward(Tensor x) {
        int g = side / patch;
        // [B,1,H,W] -> [B,g,p,g,p] -> [B,g,g,p,p] -> [B,g*g,p*p]
        return x.reshape(-1, g, patch, g, patch).permute(0, 1, 3, 2, 4).reshape(-1, g * g, patch * patch);
    }

    @Override
    protected String extraRepr() {
        return "patch=" + patch;
    }
}
