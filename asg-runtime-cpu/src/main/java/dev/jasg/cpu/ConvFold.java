package dev.jasg.cpu;

import dev.jasg.core.BinaryOp;

/**
 * A convolution whose only reader starts a chain of per-output-channel affine steps inside an elementwise chain
 * ({@link Fusion}'s rule 8: batch norm at inference, {@code ((conv(x, W) - mean) * rsqrt(var + eps)) * gamma + beta}, then
 * ReLU or a residual add), run at the chain's step as {@code conv(x, W a) + b} followed by the rest of the chain: the
 * affine steps collapse to {@code y = a[o] t + b[o]}, {@code a} is folded into the weights ({@link FoldedWeights}, made
 * once and kept while the parameters do not change) and {@code b} is one per-channel add at the head of the chain. The
 * batch norm's subtract and two multiplies over the whole output are gone; only the bias add remains, in the same
 * pass as the ReLU.
 *
 * <p>{@code a} and {@code b} are computed from the steps' per-channel operands on every run (in double, one value per
 * channel), so changed statistics or affine parameters are always seen. The result differs from the unfused chain's by
 * rounding only ({@code (t - m) r} against {@code t r - m r}, the scale applied to each product instead of to the sum).
 * When any {@code a} or {@code b} is not finite (a zero variance with {@code eps = 0}, a NaN statistic), the run falls
 * back to the unfused computation: the convolution with {@code W} and the whole chain, exactly as without this rule, so
 * NaN and infinity come out as they would unfused.
 *
 * <p>The convolution writes into the chain's result buffer, which the plan gives this step alone (never an operand's,
 * see {@code Plan.Policy#inPlace}); the chain then reads the convolution's value from there and writes each element over
 * it after reading it, as an in-place elementwise kernel does.
 *
 * <p>Not thread-safe: a plan's steps run under the executable's lock, one run at a time.
 */
final class ConvFold implements Step {
    /**
     * One affine step {@code t' = t (kind) c[o]} (or {@code c[o] - t} when {@code !runningLeft}), {@code c} read from node
     * {@code operand} at {@code o * channelStride}.
     */
    record Affine(BinaryOp kind, int operand, boolean runningLeft, int channelStride) {
        Affine {
            if (kind != BinaryOp.ADD && kind != BinaryOp.SUB && kind != BinaryOp.MUL && kind != BinaryOp.DIV) {
                throw new IllegalArgumentException("conv fold: not an affine step: " + kind);
            }
            if (kind == BinaryOp.DIV && !runningLeft) throw new IllegalArgumentException("conv fold: c / t is not affine in t");
        }
    }

    private final int conv, x, w, root;
    private final ConvKernels.Run kernel;
    private final Affine[] steps;
    private final ElementwiseChain whole, rest;
    private final float[] scale, bias;
    private final FoldedWeights folds;
    /** The folded copy the kernel read last, and its version then ({@link ConvKernels.Run#runUnchanged}). */
    private float[] lastFolded;
    private int lastVersion;

    /**
     * @param conv   the convolution node (absorbed: its value lives in the root's buffer)
     * @param root   the chain's root
     * @param whole  the unfused chain (reads the convolution's value), for the fallback
     * @param rest   the chain with the affine steps replaced by {@code conv + bias}, {@code bias} its own external
     * @param bias   the per-channel bias array {@code rest} reads
     */
    ConvFold(int conv, int x, int w, int root, ConvKernels.Run kernel, Affine[] steps, ElementwiseChain whole, ElementwiseChain rest,
             float[] bias, FoldedWeights folds) {
        this.conv = conv;
        this.x = x;
        this.w = w;
        this.root = root;
        this.kernel = kernel;
        this.steps = steps;
        this.whole = whole;
        this.rest = rest;
        this.bias = bias;
        this.scale = new float[bias.length];
        this.folds = folds;
    }

    @Override
    public void run(float[][] v) {
        boolean finite = true;
        for (int o = 0; o < scale.length; o++) {
            double a = 1, b = 0;
            for (Affine s : steps) {
                double c = v[s.operand()][o * s.channelStride()];
                switch (s.kind()) {
                    case ADD -> b += c;
                    case SUB -> {
                        if (s.runningLeft()) {
                            b -= c;
                        } else {
                            a = -a;
                            b = c - b;
                        }
                    }
                    case MUL -> {
                        a *= c;
                        b *= c;
                    }
                    case DIV -> {
                        a /= c;
                        b /= c;
                    }
                    default -> throw new IllegalStateException("conv fold: " + s.kind());
                }
            }
            scale[o] = (float) a;
            bias[o] = (float) b;
            finite &= Float.isFinite(scale[o]) && Float.isFinite(bias[o]);
        }
        float[] y = v[root];
        if (finite) {
            float[] folded = folds.of(root, v[w], scale);
            int version = folds.version(root);
            // the same copy, not made again since the kernel last read it: its derived weights (Winograd's) need no check
            if (folded == lastFolded && version == lastVersion) kernel.runUnchanged(v[x], folded, y);
            else kernel.run(v[x], folded, y);
            lastFolded = folded;
            lastVersion = version;
            v[conv] = y;
            rest.run(v);
        } else {
            lastFolded = null;
            kernel.run(v[x], v[w], y);
            v[conv] = y;
            whole.run(v);
        }
    }
}
