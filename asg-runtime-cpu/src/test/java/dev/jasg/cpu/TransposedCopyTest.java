package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.Indexing;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Permute copies ({@link ShapeKernels#copyRange}, whose transposing rows move {@value ShapeKernels#BLOCK_ROWS} at a time)
 * put every element where the permute's definition does, for shapes around the block's size, permutes that move the last
 * axis and ones that keep it, and ranges split anywhere (a thread's part may start and end inside rows and blocks); and
 * broadcasts ({@link ShapeKernels#expandGeometry}), whose rows of one repeated value are filled.
 */
class TransposedCopyTest {
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (int[] d : new int[][] {{1, 1}, {15, 17}, {16, 16}, {17, 33}, {64, 48}, {100, 3}, {3, 100}}) b.add(Arguments.of(d, new int[] {1, 0}));
        for (int[] p : new int[][] {{0, 2, 1}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1}, {1, 0, 2}}) b.add(Arguments.of(new int[] {4, 20, 34}, p));
        b.add(Arguments.of(new int[] {2, 3, 16, 40}, new int[] {0, 1, 3, 2}));
        return b.build();
    }

    @ParameterizedTest(name = "{0} by {1}")
    @MethodSource("cases")
    void permutesPutEveryElementInItsPlace(int[] dims, int[] perm) {
        int n = 1;
        for (int d : dims) n *= d;
        float[] src = new float[n];
        for (int i = 0; i < n; i++) src[i] = i + 0.5f;
        int[] outDims = new int[dims.length];
        for (int i = 0; i < dims.length; i++) outDims[i] = dims[perm[i]];
        int[] inStrides = Indexing.strides(dims), outStrides = Indexing.strides(outDims);
        float[] want = new float[n];
        for (int o = 0; o < n; o++) {
            int rest = o, at = 0;
            for (int i = 0; i < outDims.length; i++) {
                int idx = rest / outStrides[i];
                rest -= idx * outStrides[i];
                at += idx * inStrides[perm[i]];
            }
            want[o] = src[at];
        }
        ShapeKernels.Copy c = ShapeKernels.permuteGeometry(dims, perm);
        for (int split : new int[] {n, n / 2 + 1, 37, 8 * outDims[outDims.length - 1] + 5}) {
            if (split <= 0) continue;
            float[] dst = new float[n];
            for (int from = 0; from < n; from += split) ShapeKernels.copyRange(c, src, dst, from, Math.min(n, from + split));
            for (int o = 0; o < n; o++) assertEquals(want[o], dst[o], "element " + o + " with parts of " + split);
        }
    }

    @org.junit.jupiter.api.Test
    void broadcastsRepeatTheirValues() {
        int rows = 19, cols = 37;
        for (int[] in : new int[][] {{rows, 1}, {1, cols}, {1, 1}}) {
            float[] src = new float[in[0] * in[1]];
            for (int i = 0; i < src.length; i++) src[i] = i + 0.25f;
            ShapeKernels.Copy c = ShapeKernels.expandGeometry(in, new int[] {rows, cols});
            for (int split : new int[] {rows * cols, 40, 7}) {
                float[] dst = new float[rows * cols];
                for (int from = 0; from < dst.length; from += split) ShapeKernels.copyRange(c, src, dst, from, Math.min(dst.length, from + split));
                for (int r = 0; r < rows; r++) {
                    for (int col = 0; col < cols; col++) {
                        float want = src[(in[0] == 1 ? 0 : r) * in[1] + (in[1] == 1 ? 0 : col)];
                        assertEquals(want, dst[r * cols + col], java.util.Arrays.toString(in) + " at " + r + "," + col + " with parts of " + split);
                    }
                }
            }
        }
    }
}
