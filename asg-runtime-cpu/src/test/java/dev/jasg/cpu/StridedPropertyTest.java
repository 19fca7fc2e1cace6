package dev.jasg.cpu;

import dev.jasg.core.Indexing;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.BinaryOp;
import dev.jasg.core.DType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random shapes through the coalescing geometry, against index-by-index loops. */
class StridedPropertyTest {

    private static int size(int[] d) {
        int n = 1;
        for (int x : d) n *= x;
        return n;
    }

    /** Row-major flat index of {@code idx} in {@code dims}, reading broadcast (size-1) axes at 0; {@code idx} is aligned right. */
    private static int flat(int[] idx, int[] dims) {
        int off = idx.length - dims.length, f = 0;
        for (int i = 0; i < dims.length; i++) f = f * dims[i] + (dims[i] == 1 ? 0 : idx[off + i]);
        return f;
    }

    private static int[] unflat(int f, int[] dims) {
        int[] idx = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            idx[i] = f % dims[i];
            f /= dims[i];
        }
        return idx;
    }

    @Test
    void broadcastBinaryMatchesIndexLoops() {
        Random r = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int rank = 1 + r.nextInt(4);
            int[] out = new int[rank];
            for (int i = 0; i < rank; i++) out[i] = 1 + r.nextInt(4);
            int[] a = thin(r, out), b = thin(r, out);
            float[] av = Cpu.random(r, size(a)), bv = Cpu.random(r, size(b)), o = new float[size(out)];
            Strided g = Strided.of(out, Indexing.strides(out), Indexing.broadcastStrides(a, out), Indexing.broadcastStrides(b, out));
            ElementwiseKernels.binary(BinaryOp.SUB, DType.F32, g, av, bv, o);
            for (int f = 0; f < o.length; f++) {
                int[] idx = unflat(f, out);
                assertEquals(av[flat(idx, a)] - bv[flat(idx, b)], o[f], Arrays.toString(a) + " - " + Arrays.toString(b) + " at " + f);
            }
        }
    }

    /** {@code out} with some axes set to 1 and some leading axes dropped. */
    private static int[] thin(Random r, int[] out) {
        int drop = r.nextInt(out.length + 1);
        int[] d = Arrays.copyOfRange(out, drop, out.length);
        for (int i = 0; i < d.length; i++) if (r.nextInt(3) == 0) d[i] = 1;
        return d;
    }

    @Test
    void permuteAndSliceMatchIndexLoops() {
        Random r = new Random(12);
        for (int trial = 0; trial < 200; trial++) {
            int rank = 1 + r.nextInt(4);
            int[] in = new int[rank];
            for (int i = 0; i < rank; i++) in[i] = 1 + r.nextInt(5);
            float[] x = Cpu.random(r, size(in));
            int[] perm = shuffle(r, rank);
            ShapeKernels.Copy pc = ShapeKernels.permuteGeometry(in, perm);
            float[] p = new float[x.length];
            ShapeKernels.copy(pc, x, p);
            int[] outDims = new int[rank];
            for (int i = 0; i < rank; i++) outDims[i] = in[perm[i]];
            for (int f = 0; f < p.length; f++) {
                int[] oi = unflat(f, outDims), ii = new int[rank];
                for (int i = 0; i < rank; i++) ii[perm[i]] = oi[i];
                assertEquals(x[flat(ii, in)], p[f]);
            }
            int axis = r.nextInt(rank), start = r.nextInt(in[axis]), step = 1 + r.nextInt(3);
            int len = (in[axis] - start + step - 1) / step;
            int[] sd = in.clone();
            sd[axis] = len;
            float[] s = new float[size(sd)];
            ShapeKernels.copy(ShapeKernels.sliceGeometry(in, sd, axis, start, step), x, s);
            for (int f = 0; f < s.length; f++) {
                int[] idx = unflat(f, sd);
                idx[axis] = start + idx[axis] * step;
                assertEquals(x[flat(idx, in)], s[f]);
            }
        }
    }

    @Test
    void largeOpsSplitMidRowAcrossThreads() {
        Random r = new Random(13);
        int[] out = {301, 997}, a = {301, 1}, b = {997};
        float[] av = Cpu.random(r, 301), bv = Cpu.random(r, 997), o = new float[301 * 997];
        Strided g = Strided.of(out, Indexing.strides(out), Indexing.broadcastStrides(a, out), Indexing.broadcastStrides(b, out));
        ElementwiseKernels.binary(BinaryOp.MUL, DType.F32, g, av, bv, o);
        for (int i = 0; i < 301; i++) for (int j = 0; j < 997; j++) assertEquals(av[i] * bv[j], o[i * 997 + j]);
        float[] e = new float[o.length];
        ElementwiseKernels.unary(dev.jasg.core.UnaryOp.EXP, 0, 0, DType.F32, o, e, o.length);
        for (int i = 0; i < o.length; i++) assertEquals((float) Math.exp(o[i]), e[i]);
        float[] t = new float[o.length];
        ShapeKernels.copy(ShapeKernels.permuteGeometry(out, new int[] {1, 0}), o, t);
        for (int i = 0; i < 301; i++) for (int j = 0; j < 997; j++) assertEquals(o[i * 997 + j], t[j * 301 + i]);
    }

    private static int[] shuffle(Random r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
