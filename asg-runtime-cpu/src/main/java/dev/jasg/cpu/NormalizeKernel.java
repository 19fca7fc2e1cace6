package dev.jasg.cpu;

import dev.jasg.core.Indexing;
import dev.jasg.core.Ints;

/**
 * {@code y = (x - mean) / sqrt(var + eps)} over groups of elements that share their kept
 * indices, with the biased variance. Each group is a base offset plus the same list of
 * reduced offsets, both precomputed once per plan, so LayerNorm (contiguous groups) and
 * BatchNorm (strided groups) run the same loop. Two passes in double: the mean, then the
 * squared deviations (no cancellation as in {@code E[x^2] - E[x]^2}).
 */
final class NormalizeKernel {
    private NormalizeKernel() {}

    /** Geometry: the base offset of every group and the offsets of one group's elements. */
    record Geometry(int[] bases, int[] offsets) {}

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

    /** Normalises every group of {@code x} into {@code out}. */
    static void normalize(Geometry geo, double eps, float[] x, float[] out) {
        int[] bases = geo.bases(), offs = geo.offsets();
        int r = offs.length;
        CpuThreads.parallelFor(bases.length, Math.max(1, ElementwiseKernels.PARALLEL_MIN / Math.max(1, r)), (from, to) -> {
            for (int gi = from; gi < to; gi++) {
                int base = bases[gi];
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
        });
    }
}
