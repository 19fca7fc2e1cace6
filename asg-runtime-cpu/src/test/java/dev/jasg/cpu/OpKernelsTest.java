package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Op;
import dev.jasg.core.Tensor;
import dev.jasg.core.UnaryOp;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each op through the CPU backend against hand values for the cases kernels get wrong. */
class OpKernelsTest {

    private static float[] iota(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    @Test
    void stridedBroadcast() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 3, 1, 4), b = g.input("b", DType.F32, 2, 1);
        g.output("s", a.sub(b));
        float[] av = iota(12), bv = {100, 200};
        HostTensor s = Cpu.run1(g.build(), "s", Map.of("a", HostTensor.of(av, 3, 1, 4), "b", HostTensor.of(bv, 2, 1)));
        assertArrayEquals(new int[] {3, 2, 4}, s.shape().dims());
        for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 4; k++) {
            assertEquals(av[i * 4 + k] - bv[j], s.at(i, j, k), "at " + i + "," + j + "," + k);
        }
    }

    @Test
    void scalarOnTheLeftAndPowMaxNaN() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 4);
        g.output("d", g.scalar(1).div(a));
        g.output("p", a.pow(2));
        g.output("m", a.maximum(g.scalar(0).broadcastTo(a.shape())));
        try (CpuBackend b = new CpuBackend(); var exe = b.compile(g.build())) {
            var out = exe.run(Map.of("a", HostTensor.of(new float[] {2, -4, Float.NaN, 0.5f}, 4)));
            Cpu.close(new double[] {0.5, -0.25, Double.NaN, 2}, out.get("d"), 0);
            Cpu.close(new double[] {4, 16, Double.NaN, 0.25}, out.get("p"), 0);
            Cpu.close(new double[] {2, 0, Double.NaN, 0.5}, out.get("m"), 0);
        }
    }

    @Test
    void integerDivisionTruncates() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.I32, 3), b = g.input("b", DType.I32, 3);
        g.output("q", a.div(b));
        HostTensor q = Cpu.run1(g.build(), "q", Map.of("a", HostTensor.ofInts(new int[] {7, -7, 1}, 3), "b", HostTensor.ofInts(new int[] {2, 2, 3}, 3)));
        assertEquals(DType.I32, q.dtype());
        Cpu.close(new double[] {3, -3, 0}, q, 0);
    }

    @Test
    void unaryFunctionsMatchTheirDefinition() {
        Random r = new Random(3);
        float[] x = Cpu.random(r, 50);
        for (UnaryOp k : UnaryOp.values()) {
            GraphBuilder g = new GraphBuilder();
            Tensor in = g.input("x", DType.F32, 50);
            double pa = k == UnaryOp.CLAMP ? -0.5 : k == UnaryOp.SOFTPLUS ? 2 : 0.1, pb = k == UnaryOp.CLAMP ? 0.7 : 20;
            g.output("y", g.apply(new Op.Unary(k, pa, pb), in));
            HostTensor y = Cpu.run1(g.build(), "y", Map.of("x", HostTensor.of(x, 50)));
            double[] want = new double[50];
            for (int i = 0; i < 50; i++) want[i] = (float) k.apply(x[i], pa, pb);
            // the same double evaluation rounded once, but for the functions in f32 lanes, within a few ulps (VectorMathTest)
            boolean f32Lanes = Simd.ENABLED && Cpu.f32Lanes(k);
            Cpu.close(want, y, f32Lanes ? 1e-6 : 0);
        }
    }

    @Test
    void permuteRank4() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 3, 4, 5);
        g.output("p", a.permute(2, 0, 3, 1));
        HostTensor p = Cpu.run1(g.build(), "p", Map.of("a", HostTensor.of(iota(120), 2, 3, 4, 5)));
        assertArrayEquals(new int[] {4, 2, 5, 3}, p.shape().dims());
        for (int i = 0; i < 4; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 5; k++) for (int l = 0; l < 3; l++) {
            assertEquals(((j * 3 + l) * 4 + i) * 5 + k, p.at(i, j, k, l));
        }
    }

    @Test
    void sliceWithStepAndItsScatter() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 4, 10);
        Tensor s = a.slice(1, 1, 9, 3);
        g.output("s", s);
        g.output("z", g.apply(new Op.SliceScatter(1, 1, 3, 10), s));
        try (CpuBackend b = new CpuBackend(); var exe = b.compile(g.build())) {
            var out = exe.run(Map.of("a", HostTensor.of(iota(40), 4, 10)));
            HostTensor sv = out.get("s");
            assertArrayEquals(new int[] {4, 3}, sv.shape().dims());
            for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) assertEquals(i * 10 + 1 + 3 * j, sv.at(i, j));
            HostTensor z = out.get("z");
            for (int i = 0; i < 4; i++) for (int j = 0; j < 10; j++) {
                assertEquals(j % 3 == 1 && j < 9 ? i * 10 + j : 0, z.at(i, j), "scatter at " + i + "," + j);
            }
        }
    }

    @Test
    void concatAlongAMiddleAxis() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 3, 4), b = g.input("b", DType.F32, 2, 1, 4);
        g.output("c", Tensor.concat(1, a, b, a));
        float[] bv = new float[8];
        for (int i = 0; i < 8; i++) bv[i] = -1 - i;
        HostTensor c = Cpu.run1(g.build(), "c", Map.of("a", HostTensor.of(iota(24), 2, 3, 4), "b", HostTensor.of(bv, 2, 1, 4)));
        assertArrayEquals(new int[] {2, 7, 4}, c.shape().dims());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 7; j++) for (int k = 0; k < 4; k++) {
            double want = j < 3 ? (i * 3 + j) * 4 + k : j == 3 ? bv[i * 4 + k] : (i * 3 + j - 4) * 4 + k;
            assertEquals(want, c.at(i, j, k));
        }
    }

    @Test
    void expandNewAndStretchedAxes() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 3, 1);
        g.output("e", a.expand(2, 3, 4));
        HostTensor e = Cpu.run1(g.build(), "e", Map.of("a", HostTensor.of(new float[] {1, 2, 3}, 3, 1)));
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) assertEquals(j + 1, e.at(i, j, k));
    }

    @Test
    void softmaxOfLargeInputsIsStable() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 3);
        g.output("s", a.softmax(1));
        g.output("l", a.logSoftmax(1));
        g.output("c", a.softmax(0));
        try (CpuBackend b = new CpuBackend(); var exe = b.compile(g.build())) {
            var out = exe.run(Map.of("a", HostTensor.of(new float[] {1000, 1001, 1002, -1000, -1000, -1000}, 2, 3)));
            double z = 1 + Math.E + Math.E * Math.E;
            Cpu.close(new double[] {1 / z, Math.E / z, Math.E * Math.E / z, 1 / 3.0, 1 / 3.0, 1 / 3.0}, out.get("s"), 1e-6);
            Cpu.close(new double[] {-Math.log(z) - 2 + 2 - 0, 1 - Math.log(z), 2 - Math.log(z), -Math.log(3), -Math.log(3), -Math.log(3)}, out.get("l"), 1e-6);
            Cpu.close(new double[] {1, 1, 1, 0, 0, 0}, out.get("c"), 1e-6);
        }
    }

    @Test
    void argmaxTakesTheFirstOfTies() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 4);
        g.output("rows", a.argmax(1));
        g.output("cols", a.argmin(0, true));
        try (CpuBackend b = new CpuBackend(); var exe = b.compile(g.build())) {
            var out = exe.run(Map.of("a", HostTensor.of(new float[] {1, 3, 3, 2, 5, 5, 0, 5}, 2, 4)));
            HostTensor rows = out.get("rows");
            assertEquals(DType.I32, rows.dtype());
            Cpu.close(new double[] {1, 0}, rows, 0);
            HostTensor cols = out.get("cols");
            assertArrayEquals(new int[] {1, 4}, cols.shape().dims());
            Cpu.close(new double[] {0, 0, 1, 0}, cols, 0);
        }
    }

    @Test
    void reductionsOverSeveralAxes() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 3, 4);
        g.output("sum02", a.sum(new int[] {0, 2}, true));
        g.output("mean1", a.mean(1));
        g.output("max", a.max());
        g.output("min2", a.min(2, false));
        g.output("copy", g.apply(new Op.Reduce(dev.jasg.core.ReduceOp.SUM, dev.jasg.core.Ints.of(), false), a));
        float[] v = iota(24);
        v[5] = Float.NaN;
        try (CpuBackend b = new CpuBackend(); var exe = b.compile(g.build())) {
            var out = exe.run(Map.of("a", HostTensor.of(v, 2, 3, 4)));
            HostTensor s = out.get("sum02");
            assertArrayEquals(new int[] {1, 3, 1}, s.shape().dims());
            // j=0: 0+1+2+3+12+13+14+15 = 60; j=1 has the NaN; j=2: 8..11 + 20..23 = 124
            Cpu.close(new double[] {60, Double.NaN, 124}, s, 0);
            HostTensor m = out.get("mean1");
            assertArrayEquals(new int[] {2, 4}, m.shape().dims());
            Cpu.close(new double[] {4, Double.NaN, 6, 7, 16, 17, 18, 19}, m, 1e-7);
            assertTrue(Double.isNaN(out.get("max").item()));
            Cpu.close(new double[] {0, Double.NaN, 8, 12, 16, 20}, out.get("min2"), 0);
            Cpu.close(v, out.get("copy"), 0);
        }
    }

    @Test
    void longSumKeepsPrecision() {
        int n = 1 << 20;
        float[] v = new float[n];
        java.util.Arrays.fill(v, 0.1f);
        GraphBuilder g = new GraphBuilder();
        g.output("s", g.input("a", DType.F32, n).sum());
        HostTensor s = Cpu.run1(g.build(), "s", Map.of("a", HostTensor.of(v, n)));
        assertEquals(n * (double) 0.1f, s.item(), 1e-6 * n * 0.1);
    }

    @Test
    void compareWhereCastAndCount() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, "B", 3);
        Tensor mask = a.gt(g.scalar(0));
        g.output("mask", mask);
        g.output("w", Tensor.where(mask, a, g.scalar(-1)));
        g.output("i", a.cast(DType.I32));
        g.output("b", a.cast(DType.BOOL));
        g.output("n", a.count(0));
        try (CpuBackend b = new CpuBackend(); var exe = b.compile(g.build())) {
            var out = exe.run(Map.of("a", HostTensor.of(new float[] {1.7f, -2.5f, 0, -0.2f, 3, 0.5f}, 2, 3)));
            assertEquals(DType.BOOL, out.get("mask").dtype());
            Cpu.close(new double[] {1, 0, 0, 0, 1, 1}, out.get("mask"), 0);
            Cpu.close(new double[] {1.7f, -1, -1, -1, 3, 0.5f}, out.get("w"), 0);
            Cpu.close(new double[] {1, -2, 0, 0, 3, 0}, out.get("i"), 0);
            Cpu.close(new double[] {1, 1, 0, 1, 1, 1}, out.get("b"), 0);
            assertEquals(2, out.scalar("n"));
            assertEquals(5, exe.run(Map.of("a", HostTensor.of(new float[15], 5, 3))).scalar("n"));
        }
    }
}
