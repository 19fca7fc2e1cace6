package dev.jasg.core;

/**
 * Where the pooling windows of {@link Op.MaxPoolSelect} and {@link Op.MaxPoolScatter} lie on
 * the last two axes of an NCHW tensor. Each axis is described on its own (a window is the
 * product of one range per axis): for output position {@code o} on an axis of input size
 * {@code n}, the taps are {@code start(o) + t * step} for {@code t < taps(o)}, and taps outside
 * {@code [0, n)} are padding, which max pooling never picks.
 */
public sealed interface PoolWindow {

    /** Output size along {@code axis} (0: rows, 1: columns) of an input of size {@code n}. */
    int outSize(int axis, int n);

    /** First tap of output position {@code o} along {@code axis} (negative inside the padding). */
    int start(int axis, int o, int n);

    /** Number of taps of output position {@code o} along {@code axis}. */
    int taps(int axis, int o, int n);

    /** Distance between taps along {@code axis}. */
    int step(int axis);

    /**
     * Fixed windows as {@code torch.nn.MaxPool2d}: kernel, stride, padding, dilation per axis,
     * and {@code ceilMode} (the last window may hang over the end, but must start inside the
     * input or the left padding). PyTorch requires {@code padding <= kernel / 2}, checked here.
     */
    record Fixed(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW,
                 boolean ceilMode) implements PoolWindow {
        /** Checks the sizes as PyTorch does. */
        public Fixed {
            if (kernelH < 1 || kernelW < 1) throw new IllegalArgumentException("max_pool2d: kernel must be >= 1, got " + kernelH + "x" + kernelW);
            if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("max_pool2d: stride must be >= 1, got " + strideH + "x" + strideW);
            if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("max_pool2d: dilation must be >= 1, got " + dilationH + "x" + dilationW);
            if (padH < 0 || padW < 0 || padH > kernelH / 2 || padW > kernelW / 2) {
                throw new IllegalArgumentException("max_pool2d: padding must be between 0 and half the kernel, got " + padH + "x" + padW
                        + " for kernel " + kernelH + "x" + kernelW);
            }
        }

        /** Square windows: {@code kernel}, {@code stride}, {@code padding}, dilation 1, floor mode. */
        public static Fixed of(int kernel, int stride, int padding) {
            return new Fixed(kernel, kernel, stride, stride, padding, padding, 1, 1, false);
        }

        @Override
        public int outSize(int axis, int n) {
            int k = axis == 0 ? kernelH : kernelW, s = axis == 0 ? strideH : strideW, p = axis == 0 ? padH : padW;
            int d = axis == 0 ? dilationH : dilationW;
            int span = n + 2 * p - d * (k - 1) - 1;
            if (span < 0) return 0;
            int out = (ceilMode ? (span + s - 1) / s : span / s) + 1;
            // the last window must start inside the input or the left padding
            if (ceilMode && (out - 1) * s >= n + p) out--;
            return out;
        }

        @Override
        public int start(int axis, int o, int n) {
            return o * (axis == 0 ? strideH : strideW) - (axis == 0 ? padH : padW);
        }

        @Override
        public int taps(int axis, int o, int n) {
            return axis == 0 ? kernelH : kernelW;
        }

        @Override
        public int step(int axis) {
            return axis == 0 ? dilationH : dilationW;
        }

        @Override
        public String toString() {
            return "kernel=" + kernelH + "x" + kernelW + " stride=" + strideH + "x" + strideW + " pad=" + padH + "x" + padW
                    + " dilation=" + dilationH + "x" + dilationW + (ceilMode ? " ceil" : "");
        }
    }

    /**
     * {@code torch.nn.AdaptiveMaxPool2d}: {@code outH x outW} windows, the one at {@code o}
     * covering {@code [floor(o n / out), ceil((o + 1) n / out))}.
     */
    record Adaptive(int outH, int outW) implements PoolWindow {
        /** Checks the output size. */
        public Adaptive {
            if (outH < 1 || outW < 1) throw new IllegalArgumentException("adaptive_max_pool2d: output size must be >= 1, got " + outH + "x" + outW);
        }

        @Override
        public int outSize(int axis, int n) {
            return axis == 0 ? outH : outW;
        }

        @Override
        public int start(int axis, int o, int n) {
            return (int) ((long) o * n / outSize(axis, n));
        }

        @Override
        public int taps(int axis, int o, int n) {
            int out = outSize(axis, n);
            int end = (int) (((long) (o + 1) * n + out - 1) / out);
            return end - start(axis, o, n);
        }

        @Override
        public int step(int axis) {
            return 1;
        }

        @Override
        public String toString() {
            return "adaptive=" + outH + "x" + outW;
        }
    }
}
