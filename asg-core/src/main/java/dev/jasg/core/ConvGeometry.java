package dev.jasg.core;

/**
 * The geometry of a 2-D convolution over NCHW tensors, shared by {@link Op.Conv2d}, its
 * adjoint {@link Op.ConvTranspose2d} and {@link Op.Conv2dWeightGrad}: strides, zero padding
 * on each side (top, bottom, left, right: PyTorch's {@code padding="same"} pads an even
 * kernel asymmetrically), dilations and groups.
 *
 * <p>Output size along an axis of input size {@code n}, kernel {@code k}:
 * {@code floor((n + padBefore + padAfter - dilation (k - 1) - 1) / stride) + 1}. Output
 * position {@code o} reads input {@code o * stride - padBefore + i * dilation} for tap
 * {@code i}; taps outside {@code [0, n)} read zero.
 */
public record ConvGeometry(int strideH, int strideW, int padTop, int padBottom, int padLeft, int padRight,
                           int dilationH, int dilationW, int groups) {

    /** Checks that strides, dilations and groups are positive and padding non-negative. */
    public ConvGeometry {
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("conv: strides must be >= 1, got " + strideH + "x" + strideW);
        if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("conv: dilations must be >= 1, got " + dilationH + "x" + dilationW);
        if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
            throw new IllegalArgumentException("conv: padding must be >= 0, got " + padTop + "," + padBottom + "," + padLeft + "," + padRight);
        }
        if (groups < 1) throw new IllegalArgumentException("conv: groups must be >= 1, got " + groups);
    }

    /** Symmetric geometry: {@code stride}, {@code padding} on every side, {@code dilation}, {@code groups}. */
    public static ConvGeometry of(int stride, int padding, int dilation, int groups) {
        return new ConvGeometry(stride, stride, padding, padding, padding, padding, dilation, dilation, groups);
    }

    /** Stride 1, no padding, dilation 1, one group. */
    public static ConvGeometry unit() {
        return of(1, 0, 1, 1);
    }

    /** Output rows for {@code h} input rows and a kernel of {@code kh} rows (may be {@code < 1} when the kernel does not fit). */
    public int outH(int h, int kh) {
        return Math.floorDiv(h + padTop + padBottom - dilationH * (kh - 1) - 1, strideH) + 1;
    }

    /** Output columns for {@code w} input columns and a kernel of {@code kw} columns. */
    public int outW(int w, int kw) {
        return Math.floorDiv(w + padLeft + padRight - dilationW * (kw - 1) - 1, strideW) + 1;
    }

    /** Rows of a transposed convolution of {@code h} input rows: {@code (h-1) s - pads + d (k-1) + 1 + outputPadding}. */
    public int transposedH(int h, int kh, int outputPadding) {
        return (h - 1) * strideH - padTop - padBottom + dilationH * (kh - 1) + 1 + outputPadding;
    }

    /** Columns of a transposed convolution of {@code w} input columns. */
    public int transposedW(int w, int kw, int outputPadding) {
        return (w - 1) * strideW - padLeft - padRight + dilationW * (kw - 1) + 1 + outputPadding;
    }

    @Override
    public String toString() {
        String pad = padTop == padBottom && padLeft == padRight
                ? (padTop == padLeft ? String.valueOf(padTop) : padTop + "x" + padLeft)
                : padTop + "," + padBottom + "," + padLeft + "," + padRight;
        return "stride=" + (strideH == strideW ? strideH : strideH + "x" + strideW) + " pad=" + pad
                + " dilation=" + (dilationH == dilationW ? dilationH : dilationH + "x" + dilationW) + " groups=" + groups;
    }
}
