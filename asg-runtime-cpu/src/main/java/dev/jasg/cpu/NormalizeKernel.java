package dev.jasg.cpu;

import dev.jasg.core.Indexing;
import dev.jasg.core.Ints;

/**
 * {@code y = (x - mean) / sqrt(var + eps)} over groups of elements that share their kept
 * indices, with the biased variance. Each group is a base offset plus the same list of
 * reduced offsets, both precomputed once per plan, so LayerNorm (contiguous groups) and
 * BatchNorm (strided groups) run the same loop. Two passes in double: the mean, then the
 * squared deviations (no cancellation as in {@code E[x^2] - E[x]^2}). A contiguous group runs
 * {@link VectorNormalize#row} where the Vector API is enabled (its scalar twin until {@link WarmKernels} hands
 * over), else {@link #row}, which sums in four partial sums. Thread-safe: stateless, groups split over threads.
 */
final class NormalizeKernel {
    private NormalizeKernel() {}

    /** Geometry: the base offset of every group and the offsets of one group's elements ({@code contiguous}: they are {@code 0..r-1}). */
    record Geometry(int[] bases, int[] offsets, boolean contiguous) {
        Geometry(int[] bases, int[] offsets) {
            this(bases, offsets, isRange(offsets));
        }

        private static boolean isRange(int[] offsets) {
            for (int k = 0; k < offsets.length; k++) if (offsets[k] != k) return false;
            return true;
        }
    }

    /** The geometry of normalising {@code dims} over {@code axes}. */
    static Geometry plan(int[] dims, Ints axes) {
        int[] strides = Indexing.strides(dims);
        int[] kept = dims.clone(), reduced = new int[dims.length];
        int[] keptStrides = strides.clone(), reducedStrides = strides.clone();
        for (int i = 0; i < dims.length; i++) {
            boolean r = axes.contains(i);
            kept[i] = r ? 1 : dims[i];
            reduced[i] = r ? dims[i] : 1;
        }
        return new Geometry(offsets(kept, keptStrides), offsets(reduced, reducedStrides));
    }

    private static int[] offsets(int[] dims, int[] strides) {
        int[] out = new int[Indexing.size(dims)];
        int[] idx = new int[dims.length];
        for (int f = 0; f < out.length; f++) out[f] = Indexing.offset(Indexing.unravel(f, dims, idx), strides);
        return out;
    }

    /**
     * One contiguous group (LayerNorm's row) {@code x[base, base + r)}: the same two passes in double, each sum in four
     * partial sums over the residues of the index mod 4 (independent chains of additions instead of one, about three
     * times as fast; the order changes the double sums by rounding only, far below the f32 result's).
     */
    private static void row(float[] x, float[] out, int base, int r, double eps) {
        int end = base + r, q = base + (r & ~3);
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = base;
        for (; i < q; i += 4) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
        }
        for (; i < end; i++) s0 += x[i];
        double mean = ((s0 + s1) + (s2 + s3)) / r;
        s0 = s1 = s2 = s3 = 0;
        for (i = base; i < q; i += 4) {
            double c0 = x[i] - mean, c1 = x[i + 1] - mean, c2 = x[i + 2] - mean, c3 = x[i + 3] - mean;
            s0 += c0 * c0;
            s1 += c1 * c1;
            s2 += c2 * c2;
            s3 += c3 * c3;
        }
        for (; i < end; i++) {
            double c = x[i] - mean;
            s0 += c * c;
        }
        double rstd = 1 / Math.sqrt(((s0 + s1) + (s2 + s3)) / r + eps);
        for (i = base; i < end; i++) out[i] = (float) ((x[i] - mean) * rstd);
    }

    /**
     * The fewest groups a thread of {@link #normalizeRange}'s loop takes: a quarter of {@link ElementwiseKernels#PARALLEL_MIN}'s
     * elements, since a group is read three times (mean, variance, result) in double lanes, so a second thread pays for
     * itself sooner (GPT-2's 128 x 768 layer norms ran on the caller while the pool waited).
     */
    static int minGroups(Geometry geo) {
        return Math.max(1, ElementwiseKernels.PARALLEL_MIN / 4 / Math.max(1, geo.offsets().length));
    }

    /** Normalises groups {@code [from, to)} of {@code x} into {@code out}: a plan's step runs it as a {@link LoopStep}. */
    static void normalizeRange(Geometry geo, double eps, float[] x, float[] out, int from, int to) {
        int[] bases = geo.bases(), offs = geo.offsets();
        int r = offs.length;
        for (int gi = from; gi < to; gi++) {
            int base = bases[gi];
            if (geo.contiguous()) {
                if (Simd.ENABLED) WarmKernels.normalizeRow(x, out, base, r, eps);
                else row(x, out, base, r, eps);
                continue;
            }
            double sum = 0;
            for (int k = 0; k < r; k++) sum += x[base + offs[k]];
            double mean = sum / r;
            double sq = 0;
            for (int k = 0; k < r; k++) {
                double c = x[base + offs[k]] - mean;
                sq += c * c;
            }
            double rstd = 1 / Math.sqrt(sq / r + eps);
            for (int k = 0; k < r; k++) out[base + offs[k]] = (float) ((x[base + offs[k]] - mean) * rstd);
        }
    }
}
