package dev.jasg.core.reference;

import dev.jasg.core.ArgReduceOp;
import dev.jasg.core.BackendException;
import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.DType;
import dev.jasg.core.Indexing;
import dev.jasg.core.Ints;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.UnaryOp;

/**
 * The reference interpreter's kernels: one plain loop per op over {@code double[]} data
 * in row-major order, with concrete {@code int[]} dims. They favour being obviously
 * correct over being fast; the scalar semantics come from the op enums
 * ({@link UnaryOp#apply}, {@link BinaryOp#apply}, ...), so they are defined in one place.
 */
final class ReferenceKernels {
    private ReferenceKernels() {}

    /** {@code out[i] = kind(x[i]; a, b)}. */
    static double[] unary(UnaryOp kind, double a, double b, double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = kind.apply(x[i], a, b);
        return out;
    }

    /** {@code out[i] = kind(x[bx(i)], y[by(i)])} with both operands broadcast to {@code outDims}. */
    static double[] binary(BinaryOp kind, double[] x, int[] xDims, double[] y, int[] yDims, int[] outDims) {
        int[] mx = Indexing.broadcastMap(xDims, outDims), my = Indexing.broadcastMap(yDims, outDims);
        double[] out = new double[mx.length];
        for (int i = 0; i < out.length; i++) out[i] = kind.apply(x[mx[i]], y[my[i]]);
        return out;
    }

    /** {@code out[i] = kind(x, y) ? 1 : 0} with broadcasting. */
    static double[] compare(CompareOp kind, double[] x, int[] xDims, double[] y, int[] yDims, int[] outDims) {
        int[] mx = Indexing.broadcastMap(xDims, outDims), my = Indexing.broadcastMap(yDims, outDims);
        double[] out = new double[mx.length];
        for (int i = 0; i < out.length; i++) out[i] = kind.test(x[mx[i]], y[my[i]]) ? 1 : 0;
        return out;
    }

    /** {@code out[i] = mask[i] != 0 ? a[i] : b[i]}, all three broadcast to {@code outDims}. */
    static double[] where(double[] mask, int[] maskDims, double[] a, int[] aDims, double[] b, int[] bDims, int[] outDims) {
        int[] mm = Indexing.broadcastMap(maskDims, outDims);
        int[] ma = Indexing.broadcastMap(aDims, outDims), mb = Indexing.broadcastMap(bDims, outDims);
        double[] out = new double[mm.length];
        for (int i = 0; i < out.length; i++) out[i] = mask[mm[i]] != 0 ? a[ma[i]] : b[mb[i]];
        return out;
    }

    /**
     * {@code out[j] = finish(fold(combine, identity, {x[i] : i maps to j}), n)} where an
     * input index maps to the output index with the reduced axes set to 0, and
     * {@code n = prod inDims[axes]}. Dropping the kept size-1 axes does not change the
     * row-major order, so one loop serves both {@code keepDims} forms.
     */
    static double[] reduce(ReduceOp kind, Ints axes, double[] x, int[] inDims) {
        if (axes.size() == 0) return x.clone();
        int[] keptDims = inDims.clone();
        long n = 1;
        for (int i = 0; i < axes.size(); i++) {
            n *= inDims[axes.get(i)];
            keptDims[axes.get(i)] = 1;
        }
        int[] outStrides = Indexing.broadcastStrides(keptDims, inDims);
        double[] acc = new double[Indexing.size(keptDims)];
        java.util.Arrays.fill(acc, kind.identity());
        int[] idx = new int[inDims.length];
        for (int i = 0; i < x.length; i++) {
            int j = Indexing.offset(Indexing.unravel(i, inDims, idx), outStrides);
            acc[j] = kind.combine(acc[j], x[i]);
        }
        for (int j = 0; j < acc.length; j++) acc[j] = kind.finish(acc[j], n);
        return acc;
    }

    /** Index along {@code axis} of the best element of each lane, the first on ties. */
    static double[] argReduce(ArgReduceOp kind, int axis, double[] x, int[] inDims) {
        int outer = 1, inner = 1, len = inDims[axis];
        for (int i = 0; i < axis; i++) outer *= inDims[i];
        for (int i = axis + 1; i < inDims.length; i++) inner *= inDims[i];
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                int best = 0;
                for (int k = 1; k < len; k++) {
                    if (kind.better(x[base + k * inner], x[base + best * inner])) best = k;
                }
                out[o * inner + in] = best;
            }
        }
        return out;
    }

    /** {@code prod inDims[axes]} as a one-element array. */
    static double[] count(Ints axes, int[] inDims) {
        double n = 1;
        for (int i = 0; i < axes.size(); i++) n *= inDims[axes.get(i)];
        return new double[] {n};
    }

    /**
     * {@code torch.matmul}: a 1-D left operand is read as {@code [1,k]}, a 1-D right one as
     * {@code [k,1]}; leading batch axes broadcast; {@code out[b,i,j] = sum_p a[b,i,p] * b[b,p,j]}.
     * The output's row-major layout is the same with or without the squeezed size-1 axes.
     */
    static double[] matmul(double[] a, int[] aDims, double[] b, int[] bDims) {
        int[] a2 = aDims.length == 1 ? new int[] {1, aDims[0]} : aDims;
        int[] b2 = bDims.length == 1 ? new int[] {bDims[0], 1} : bDims;
        int m = a2[a2.length - 2], k = a2[a2.length - 1], n = b2[b2.length - 1];
        int[] aBatch = java.util.Arrays.copyOf(a2, a2.length - 2), bBatch = java.util.Arrays.copyOf(b2, b2.length - 2);
        int rank = Math.max(aBatch.length, bBatch.length);
        int[] batch = new int[rank];
        for (int i = 1; i <= rank; i++) {
            int da = i <= aBatch.length ? aBatch[aBatch.length - i] : 1;
            int db = i <= bBatch.length ? bBatch[bBatch.length - i] : 1;
            batch[rank - i] = da == 1 ? db : da;
        }
        int[] aMap = Indexing.broadcastMap(aBatch, batch), bMap = Indexing.broadcastMap(bBatch, batch);
        double[] out = new double[aMap.length * m * n];
        for (int t = 0; t < aMap.length; t++) {
            int ao = aMap[t] * m * k, bo = bMap[t] * k * n, oo = t * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a[ao + i * k + p] * b[bo + p * n + j];
                    out[oo + i * n + j] = s;
                }
            }
        }
        return out;
    }

    /** Output axis {@code i} is input axis {@code perm[i]}: {@code out[idx] = x[sum_i idx[i] * inStride[perm[i]]]}. */
    static double[] permute(Ints perm, double[] x, int[] inDims, int[] outDims) {
        int[] inStrides = Indexing.strides(inDims);
        int[] s = new int[outDims.length];
        for (int i = 0; i < s.length; i++) s[i] = inStrides[perm.get(i)];
        double[] out = new double[x.length];
        int[] idx = new int[outDims.length];
        for (int f = 0; f < out.length; f++) out[f] = x[Indexing.offset(Indexing.unravel(f, outDims, idx), s)];
        return out;
    }

    /** {@code x} broadcast to {@code outDims}. */
    static double[] expand(double[] x, int[] inDims, int[] outDims) {
        int[] map = Indexing.broadcastMap(inDims, outDims);
        double[] out = new double[map.length];
        for (int i = 0; i < out.length; i++) out[i] = x[map[i]];
        return out;
    }

    /** {@code out[.., i, ..] = x[.., start + i*step, ..]} along {@code axis}. */
    static double[] slice(int axis, int start, int step, double[] x, int[] inDims, int[] outDims) {
        int[] inStrides = Indexing.strides(inDims);
        double[] out = new double[Indexing.size(outDims)];
        int[] idx = new int[outDims.length];
        for (int f = 0; f < out.length; f++) {
            Indexing.unravel(f, outDims, idx);
            idx[axis] = start + idx[axis] * step;
            out[f] = x[Indexing.offset(idx, inStrides)];
        }
        return out;
    }

    /** Zeros of {@code outDims} with {@code out[.., start + i*step, ..] = x[.., i, ..]} along {@code axis}. */
    static double[] sliceScatter(int axis, int start, int step, double[] x, int[] inDims, int[] outDims) {
        int[] outStrides = Indexing.strides(outDims);
        double[] out = new double[Indexing.size(outDims)];
        int[] idx = new int[inDims.length];
        for (int f = 0; f < x.length; f++) {
            Indexing.unravel(f, inDims, idx);
            idx[axis] = start + idx[axis] * step;
            out[Indexing.offset(idx, outStrides)] = x[f];
        }
        return out;
    }

    /** The inputs laid end to end along {@code axis}: input {@code k} starts at the sum of the earlier lengths. */
    static double[] concat(int axis, double[][] xs, int[][] inDims, int[] outDims) {
        int[] outStrides = Indexing.strides(outDims);
        double[] out = new double[Indexing.size(outDims)];
        int at = 0;
        for (int k = 0; k < xs.length; k++) {
            int[] idx = new int[inDims[k].length];
            for (int f = 0; f < xs[k].length; f++) {
                Indexing.unravel(f, inDims[k], idx);
                idx[axis] += at;
                out[Indexing.offset(idx, outStrides)] = xs[k][f];
            }
            at += inDims[k][axis];
        }
        return out;
    }

    /**
     * Along {@code axis}: {@code softmax_i = exp(x_i - m) / sum_j exp(x_j - m)} and
     * {@code log_softmax_i = x_i - m - log sum_j exp(x_j - m)} with {@code m = max x}, so no
     * exponent exceeds 0.
     */
    static double[] softmax(boolean log, int axis, double[] x, int[] dims) {
        int outer = 1, inner = 1, len = dims[axis];
        for (int i = 0; i < axis; i++) outer *= dims[i];
        for (int i = axis + 1; i < dims.length; i++) inner *= dims[i];
        double[] out = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                double m = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < len; k++) m = Math.max(m, x[base + k * inner]);
                double sum = 0;
                for (int k = 0; k < len; k++) sum += Math.exp(x[base + k * inner] - m);
                double logSum = Math.log(sum);
                for (int k = 0; k < len; k++) {
                    double z = x[base + k * inner] - m;
                    out[base + k * inner] = log ? z - logSum : Math.exp(z) / sum;
                }
            }
        }
        return out;
    }

    /**
     * Conversion to {@code to}: integers truncate toward zero and BOOL is {@code x != 0}
     * ({@link DType#round}); float targets keep the double, as the whole interpreter does.
     */
    static double[] cast(DType to, double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = to == DType.F32 || to == DType.F64 ? x[i] : to.round(x[i]);
        return out;
    }

    /**
     * {@code out[n, :] = table[idx[n], :]} over the flattened indices, rows of
     * {@code D = prod tableDims[1:]} elements. An index outside {@code [0, V)} throws.
     */
    static double[] gather(Node node, double[] table, int[] tableDims, double[] idx) {
        int v = tableDims[0], d = rowLength(tableDims);
        double[] out = new double[idx.length * d];
        for (int n = 0; n < idx.length; n++) {
            int k = checkIndex(node, idx, n, v);
            System.arraycopy(table, k * d, out, n * d, d);
        }
        return out;
    }

    /** Zeros of {@code outDims} with {@code out[idx[n], :] += updates[n, :]}, in index order. An index outside {@code [0, size)} throws. */
    static double[] scatterAdd(Node node, double[] updates, double[] idx, int[] outDims) {
        int d = rowLength(outDims);
        double[] out = new double[Indexing.size(outDims)];
        for (int n = 0; n < idx.length; n++) {
            int k = checkIndex(node, idx, n, outDims[0]);
            for (int j = 0; j < d; j++) out[k * d + j] += updates[n * d + j];
        }
        return out;
    }

    private static int rowLength(int[] dims) {
        int d = 1;
        for (int i = 1; i < dims.length; i++) d *= dims[i];
        return d;
    }

    private static int checkIndex(Node node, double[] idx, int n, int bound) {
        double k = idx[n];
        if (!(k >= 0 && k < bound)) {
            throw new BackendException(node.op().label() + ": index " + (long) k + " at flat position " + n + " is outside [0, " + bound
                    + ") at node " + node.id() + " '" + node.path() + "'");
        }
        return (int) k;
    }

    /** {@code out[i] = 1/(1-p)} where {@link Op.DropoutMask#keeps} says element {@code i} is kept, else 0. */
    static double[] dropoutMask(Op.DropoutMask op, int seed, int size) {
        int key = Op.DropoutMask.streamKey(seed, Op.DropoutMask.saltMix(op.salt()));
        int threshold = op.threshold();
        double scale = op.scale();
        double[] out = new double[size];
        for (int i = 0; i < size; i++) out[i] = Op.DropoutMask.bits24(key, i) >= threshold ? scale : 0;
        return out;
    }

    /**
     * Two passes per group of elements that share the kept indices: the mean, then the
     * biased variance of the deviations (stable where one-pass sum-of-squares cancels),
     * then {@code (x - mean) / sqrt(var + eps)}.
     */
    static double[] normalize(Ints axes, double eps, double[] x, int[] dims) {
        double[] mean = reduce(ReduceOp.MEAN, axes, x, dims);
        int[] kept = dims.clone();
        for (int i = 0; i < axes.size(); i++) kept[axes.get(i)] = 1;
        int[] keptStrides = Indexing.broadcastStrides(kept, dims);
        int[] group = new int[x.length];
        int[] idx = new int[dims.length];
        for (int i = 0; i < x.length; i++) group[i] = Indexing.offset(Indexing.unravel(i, dims, idx), keptStrides);
        double[] var = new double[mean.length];
        for (int i = 0; i < x.length; i++) {
            double c = x[i] - mean[group[i]];
            var[group[i]] += c * c;
        }
        long n = x.length / Math.max(1, mean.length);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (x[i] - mean[group[i]]) / Math.sqrt(var[group[i]] / n + eps);
        return out;
    }
}
