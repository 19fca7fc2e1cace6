package dev.jasg.nn;

import dev.jasg.core.Tensor;
import java.util.Arrays;

/**
 * {@code torch.nn.Upsample}: {@link Interpolate#interpolate} as a layer, to a fixed {@code size}
 * or by a {@code scale_factor}, in mode {@code nearest} (the default), {@code nearest-exact},
 * {@code linear}, {@code bilinear}, {@code bicubic} or {@code trilinear}, with
 * {@code align_corners} (null: PyTorch's default, false).
 */
public final class Upsample extends Layer {
    private final int[] size;
    private final double[] scaleFactor;
    private final String mode;
    private final Boolean alignCorners;

    /** To {@code size} (one value for every spatial axis or one per axis) in {@code mode}. */
    public Upsample(int[] size, String mode, Boolean alignCorners) {
        this(size.clone(), null, mode, alignCorners);
    }

    /** By {@code scaleFactor} (one value for every spatial axis or one per axis) in {@code mode}. */
    public Upsample(double[] scaleFactor, String mode, Boolean alignCorners) {
        this(null, scaleFactor.clone(), mode, alignCorners);
    }

    /** By {@code scaleFactor} on every spatial axis, mode nearest. */
    public Upsample(double scaleFactor) {
        this(null, new double[] {scaleFactor}, "nearest", null);
    }

    private Upsample(int[] size, double[] scaleFactor, String mode, Boolean alignCorners) {
        this.size = size;
        this.scaleFactor = scaleFactor;
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Interpolate.interpolate(x, size, scaleFactor, mode, alignCorners, false);
    }

    @Override
    protected String extraRepr() {
        return (size != null ? "size=" + Arrays.toString(size) : "scale_factor=" + Arrays.toString(scaleFactor)) + ", mode=" + Repr.of(mode)
                + (alignCorners == null ? "" : ", align_corners=" + Repr.of(alignCorners));
    }
}
