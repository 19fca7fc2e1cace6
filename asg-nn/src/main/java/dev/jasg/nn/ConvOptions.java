package dev.jasg.nn;

import dev.jasg.core.ConvGeometry;

/**
 * The keyword arguments of {@link Conv2d} and {@link ConvTranspose2d}, with PyTorch's names
 * and defaults: {@code stride=1, padding=0, dilation=1, groups=1, bias=True}, and for the
 * transposed layer {@code output_padding=0}. Sizes are given as one int for both axes or as
 * {@code (h, w)}; {@code padding("same")} and {@code padding("valid")} work as in PyTorch
 * ("same" pads an even kernel one more at the bottom/right, and needs stride 1).
 *
 * <pre>new Conv2d(1, 32, 3, ConvOptions.defaults().padding(1))</pre>
 */
public final class ConvOptions {
    private int strideH = 1, strideW = 1, padH, padW, dilationH = 1, dilationW = 1, groups = 1, outputPadH, outputPadW;
    private String paddingMode;
    private String padMode = "zeros";
    private int strideD = 1, padD, dilationD = 1;
    private boolean bias = true;

    private ConvOptions() {}

    /** PyTorch's defaults. */
    public static ConvOptions defaults() {
        return new ConvOptions();
    }

    /** A copy of these options, to change some of them without touching a layer's (the Model Lab's layer editor). */
    public ConvOptions copy() {
        ConvOptions c = new ConvOptions();
        c.strideH = strideH; c.strideW = strideW; c.padH = padH; c.padW = padW; c.dilationH = dilationH; c.dilationW = dilationW;
        c.groups = groups; c.outputPadH = outputPadH; c.outputPadW = outputPadW; c.paddingMode = paddingMode; c.padMode = padMode;
        c.strideD = strideD; c.padD = padD; c.dilationD = dilationD; c.bias = bias;
        return c;
    }

    /** Stride on every axis (depth too, for {@link Conv3d}). */
    public ConvOptions stride(int s) { return stride(s, s, s); }

    /** Stride per axis of a {@link Conv3d}: depth, height, width. */
    public ConvOptions stride(int d, int h, int w) {
        strideD = d;
        return stride(h, w);
    }

    /** Stride per axis. */
    public ConvOptions stride(int h, int w) {
        strideH = h;
        strideW = w;
        return this;
    }

    /** Padding on every side (depth too, for {@link Conv3d}). */
    public ConvOptions padding(int p) { return padding(p, p, p); }

    /** Padding per axis of a {@link Conv3d}: depth, height, width. */
    public ConvOptions padding(int d, int h, int w) {
        padD = d;
        return padding(h, w);
    }

    /**
     * PyTorch's {@code padding_mode}: {@code "zeros"} (the default), {@code "reflect"},
     * {@code "replicate"} or {@code "circular"}. A mode other than zeros pads the input with
     * that mode by the layer's padding, then convolves with no padding, as PyTorch does;
     * transposed layers accept only zeros.
     */
    public ConvOptions paddingMode(String mode) {
        if (!java.util.List.of("zeros", "reflect", "replicate", "circular").contains(mode)) {
            throw new IllegalArgumentException("padding_mode: expected 'zeros', 'reflect', 'replicate' or 'circular', got '" + mode + "'");
        }
        padMode = mode;
        return this;
    }

    /** Zero padding above and below ({@code h}), left and right ({@code w}). */
    public ConvOptions padding(int h, int w) {
        padH = h;
        padW = w;
        paddingMode = null;
        return this;
    }

    /** {@code "same"} (output as large as the input, stride 1 only) or {@code "valid"} (no padding). */
    public ConvOptions padding(String mode) {
        if (!"same".equals(mode) && !"valid".equals(mode)) {
            throw new IllegalArgumentException("padding: expected 'same', 'valid' or sizes, got '" + mode + "'");
        }
        paddingMode = mode;
        padD = padH = padW = 0;
        return this;
    }

    /** Dilation on every axis (depth too, for {@link Conv3d}). */
    public ConvOptions dilation(int d) { return dilation(d, d, d); }

    /** Dilation per axis of a {@link Conv3d}: depth, height, width. */
    public ConvOptions dilation(int d, int h, int w) {
        dilationD = d;
        return dilation(h, w);
    }

    /** Dilation per axis. */
    public ConvOptions dilation(int h, int w) {
        dilationH = h;
        dilationW = w;
        return this;
    }

    /** Number of channel groups; {@code groups = in_channels} is a depthwise convolution. */
    public ConvOptions groups(int g) {
        groups = g;
        return this;
    }

    /** Whether the layer adds a learnable bias. */
    public ConvOptions bias(boolean b) {
        bias = b;
        return this;
    }

    /** Extra rows and columns at the bottom/right of a transposed convolution's output (each below stride or dilation). */
    public ConvOptions outputPadding(int p) { return outputPadding(p, p); }

    /** Output padding per axis. */
    public ConvOptions outputPadding(int h, int w) {
        outputPadH = h;
        outputPadW = w;
        return this;
    }

    boolean bias() { return bias; }

    String paddingModeName() { return padMode; }

    /** "same", "valid" or null (sizes given). */
    String paddingString() { return paddingMode; }

    int strideD() { return strideD; }

    int padD() { return padD; }

    int dilationD() { return dilationD; }

    /** Throws unless the padding mode is zeros (transposed convolutions accept no other, as PyTorch). */
    void checkZerosPadding(String layer) {
        if (!padMode.equals("zeros")) throw new IllegalArgumentException(layer + ": only padding_mode 'zeros' is supported, got '" + padMode + "'");
    }

    int groups() { return groups; }

    int outputPaddingH() { return outputPadH; }

    int outputPaddingW() { return outputPadW; }

    /**
     * Checks a layer's sizes against these options (positive channels and kernel, channels
     * divisible by groups, and for a transposed layer PyTorch's bound on the output padding),
     * then returns its geometry.
     */
    ConvGeometry checked(String layer, int inChannels, int outChannels, int kh, int kw, boolean transposed) {
        if (inChannels <= 0 || outChannels <= 0 || kh <= 0 || kw <= 0) {
            throw new IllegalArgumentException(layer + ": channels and kernel size must be positive, got in=" + inChannels + " out=" + outChannels
                    + " kernel=" + kh + "x" + kw);
        }
        ConvGeometry g = geometry(layer, kh, kw, transposed);
        if (transposed) checkOutputPadding(layer);
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(layer + ": in_channels " + inChannels + " and out_channels " + outChannels + " must be divisible by groups " + groups);
        }
        return g;
    }

    /** The geometry for a kernel of {@code kh x kw}, resolving "same" and checking the sizes as PyTorch does. */
    ConvGeometry geometry(String layer, int kh, int kw, boolean transposed) {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || padH < 0 || padW < 0 || groups < 1) {
            throw new IllegalArgumentException(layer + ": stride, dilation and groups must be positive and padding non-negative, got " + this);
        }
        if (paddingMode == null || paddingMode.equals("valid")) {
            return new ConvGeometry(strideH, strideW, padH, padH, padW, padW, dilationH, dilationW, groups);
        }
        if (transposed) throw new IllegalArgumentException(layer + ": padding='same' is not supported for transposed convolutions");
        if (strideH != 1 || strideW != 1) throw new IllegalArgumentException(layer + ": padding='same' is not supported for strided convolutions, got " + this);
        int th = dilationH * (kh - 1), tw = dilationW * (kw - 1);
        return new ConvGeometry(1, 1, th / 2, th - th / 2, tw / 2, tw - tw / 2, dilationH, dilationW, groups);
    }

    /** Checks PyTorch's bound on the output padding: below the stride or the dilation. */
    void checkOutputPadding(String layer) {
        if (outputPadH < 0 || outputPadW < 0 || outputPadH >= Math.max(strideH, dilationH) || outputPadW >= Math.max(strideW, dilationW)) {
            throw new IllegalArgumentException(layer + ": output_padding must be non-negative and smaller than either stride or dilation, got "
                    + outputPadH + "x" + outputPadW + " with stride " + strideH + "x" + strideW + " and dilation " + dilationH + "x" + dilationW);
        }
    }

    @Override
    public String toString() {
        return "stride=(" + strideH + ", " + strideW + "), padding=" + (paddingMode != null ? Repr.of(paddingMode) : "(" + padH + ", " + padW + ")")
                + ", dilation=(" + dilationH + ", " + dilationW + "), groups=" + groups + ", bias=" + Repr.of(bias)
                + (padMode.equals("zeros") ? "" : ", padding_mode=" + Repr.of(padMode));
    }
}
