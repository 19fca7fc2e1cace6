package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MatMulKernelTest {

    /** torch.matmul written the slow, obvious way (double accumulation). */
    static double[] naive(float[] a, int[] ad, float[] b, int[] bd) {
        int[] a2 = ad.length == 1 ? new int[] {1, ad[0]} : ad, b2 = bd.length == 1 ? new int[] {bd[0], 1} : bd;
        int m = a2[a2.length - 2], k = a2[a2.length - 1], n = b2[b2.length - 1];
        int[] ab = Arrays.copyOf(a2, a2.length - 2), bb = Arrays.copyOf(b2, b2.length - 2);
        int r = Math.max(ab.length, bb.length);
        int[] batch = new int[r];
        for (int i = 1; i <= r; i++) {
            int x = i <= ab.length ? ab[ab.length - i] : 1, y = i <= bb.length ? bb[bb.length - i] : 1;
            batch[r - i] = Math.max(x, y);
        }
        int count = 1;
        for (int d : batch) count *= d;
        double[] c = new double[count * m * n];
        for (int t = 0; t < count; t++) {
            int[] idx = new int[r];
            for (int ax = r - 1, rest = t; ax >= 0; ax--) { idx[ax] = rest % batch[ax]; rest /= batch[ax]; }
            int ta = 0, tb = 0;
            for (int i = 0; i < ab.length; i++) ta = ta * ab[i] + (ab[i] == 1 ? 0 : idx[r - ab.length + i]);
            for (int i = 0; i < bb.length; i++) tb = tb * bb[i] + (bb[i] == 1 ? 0 : idx[r - bb.length + i]);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (double) a[ta * m * k + i * k + p] * b[tb * k * n + p * n + j];
                    c[t * m * n + i * n + j] = s;
                }
            }
        }
        return c;
    }

    private static void check(int[] ad, int[] bd, int[] wantShape) {
        Random r = new Random(Arrays.hashCode(ad) * 31 + Arrays.hashCode(bd));
        int na = 1, nb = 1;
        for (int d : ad) na *= d;
        for (int d : bd) nb *= d;
        float[] a = Cpu.random(r, na), b = Cpu.random(r, nb);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("a", DType.F32, Shape.of(ad)), y = g.input("b", DType.F32, Shape.of(bd));
        g.output("c", x.matmul(y));
        HostTensor got = Cpu.run1(g.build(), "c", Map.of("a", HostTensor.of(a, ad), "b", HostTensor.of(b, bd)));
        assertArrayEquals(wantShape, got.shape().dims(), "shape of " + Arrays.toString(ad) + " x " + Arrays.toString(bd));
        Cpu.close(naive(a, ad, b, bd), got, 1e-5);
    }

    @Test
    void everyTorchMatmulCase() {
        check(new int[] {4}, new int[] {4}, new int[] {});                  // dot
        check(new int[] {3, 4}, new int[] {4}, new int[] {3});              // matrix-vector
        check(new int[] {4}, new int[] {4, 5}, new int[] {5});              // vector-matrix
        check(new int[] {3, 4}, new int[] {4, 5}, new int[] {3, 5});
        check(new int[] {2, 3, 4}, new int[] {4, 5}, new int[] {2, 3, 5});  // shared right matrix (folded)
        check(new int[] {3, 4}, new int[] {2, 4, 5}, new int[] {2, 3, 5});  // shared left matrix
        check(new int[] {2, 3, 4}, new int[] {2, 4, 5}, new int[] {2, 3, 5});
        check(new int[] {2, 1, 3, 4}, new int[] {3, 4, 5}, new int[] {2, 3, 3, 5}); // batch broadcast
        check(new int[] {1, 3, 4}, new int[] {2, 1, 4, 5}, new int[] {2, 1, 3, 5});
        check(new int[] {4}, new int[] {2, 4, 5}, new int[] {2, 5});        // 1-D left, batched right
        check(new int[] {2, 3, 4}, new int[] {4}, new int[] {2, 3});        // batched left, 1-D right
        check(new int[] {3, 0}, new int[] {0, 2}, new int[] {3, 2});        // empty inner dimension
    }

    @Test
    void handValues() {
        MatMulKernel.Geometry geo = MatMulKernel.plan(new int[] {2, 3}, new int[] {3, 2});
        float[] c = new float[4];
        MatMulKernel.multiply(geo, DType.F32, new float[] {1, 2, 3, 4, 5, 6}, new float[] {7, 8, 9, 10, 11, 12}, c);
        assertArrayEquals(new float[] {58, 64, 139, 154}, c);
    }

    @Test
    void largeProductMatchesTripleLoopOnEveryPath() {
        Random r = new Random(7);
        // tall (row split), vector x matrix (column split), batched with broadcast
        int[][][] cases = {
            {{301, 257}, {257, 199}},
            {{1, 700}, {700, 900}},
            {{3, 1, 40, 70}, {4, 70, 90}},
        };
        for (int[][] cs : cases) {
            int[] ad = cs[0], bd = cs[1];
            int na = Arrays.stream(ad).reduce(1, (p, q) -> p * q), nb = Arrays.stream(bd).reduce(1, (p, q) -> p * q);
            float[] a = Cpu.random(r, na), b = Cpu.random(r, nb);
            MatMulKernel.Geometry geo = MatMulKernel.plan(ad, bd);
            float[] c = new float[(int) geo.outSize()];
            MatMulKernel.multiply(geo, DType.F32, a, b, c);
            double[] want = naive(a, ad, b, bd);
            assertEquals(want.length, c.length);
            for (int i = 0; i < c.length; i++) assertEquals(want[i], c[i], 1e-4 * Math.max(1, Math.abs(want[i])), "element " + i);
        }
    }

    @Test
    void integerMatmulRounds() {
        MatMulKernel.Geometry geo = MatMulKernel.plan(new int[] {2}, new int[] {2});
        float[] c = new float[1];
        MatMulKernel.multiply(geo, DType.I32, new float[] {3, -4}, new float[] {5, 6}, c);
        assertEquals(-9f, c[0]);
    }
}
