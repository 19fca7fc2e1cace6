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
 * axis and ones that keep it, and ranges split anywhere (a thread's part may start and end inside rows and blocks).
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
}
