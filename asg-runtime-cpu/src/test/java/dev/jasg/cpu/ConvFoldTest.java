package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Convolutions folded with the batch norm after them ({@link Fusion}'s rule 8, {@link ConvFold}, {@link FoldedWeights}):
 * the folded plan against the reference interpreter over the convolution paths (GEMM lowering, Winograd, depthwise
 * direct), with ReLU, a residual add and a second (unfolded) convolution in the same chain; NaN and infinity coming out
 * where the unfused graph gives them (a non-finite scale or offset takes the unfused path); the folded weights made once
 * for every plan and again when a parameter changes; no fold where the convolution's value is needed on its own.
 */
class ConvFoldTest {
    private static final double EPS = 1e-5;

    /** One test network: {@code relu(bn(conv(x, w)) [+ residual])}. */
    private record Net(Graph graph, List<String> params, int c, int o, int side, int kernel, int groups) {}

    /** {@code (x - mean) * rsqrt(var + eps) * gamma + beta} as BatchNorm2d's eval mode builds it. */
    private static Tensor bn(GraphBuilder gb, Tensor y, String name, int channels, Random r, List<String> params) {
        float[] var = new float[channels];
        for (int i = 0; i < channels; i++) var[i] = 0.5f + r.nextFloat();
        Tensor mean = Cpu.param(gb, name + ".mean", values(Cpu.random(r, channels), channels), channels);
        Tensor v = Cpu.param(gb, name + ".var", values(var, channels), channels);
        Tensor gamma = Cpu.param(gb, name + ".gamma", values(Cpu.random(r, channels), channels), channels);
        Tensor beta = Cpu.param(gb, name + ".beta", values(Cpu.random(r, channels), channels), channels);
        params.addAll(List.of(name + ".mean", name + ".var", name + ".gamma", name + ".beta"));
        Shape ch = Shape.of(1, channels, 1, 1);
        return y.sub(mean.reshape(ch)).mul(v.reshape(ch).add(EPS).rsqrt()).mul(gamma.reshape(ch)).add(beta.reshape(ch));
    }

    private static Init values(float[] v, int... dims) {
        return new Init.Values(HostTensor.of(v, dims));
    }

    /**
     * {@code relu(bn(conv(x)))}, or with {@code residual} {@code relu(bn(conv(x)) + bn(conv1x1(x)))}: the second
     * convolution joins the same chain (only one convolution of a chain is folded).
     */
    private static Net net(int c, int o, int side, int kernel, int groups, boolean residual, long seed) {
        Random r = new Random(seed);
        GraphBuilder gb = new GraphBuilder();
        List<String> params = new ArrayList<>();
        Tensor x = gb.input("x", DType.F32, Shape.symbolic("N", c, side, side));
        float[] wv = Cpu.random(r, o * (c / groups) * kernel * kernel);
        Tensor w = Cpu.param(gb, "w", values(wv, o, c / groups, kernel, kernel), o, c / groups, kernel, kernel);
        params.add("w");
        Tensor y = bn(gb, x.conv2d(w, ConvGeometry.of(1, kernel / 2, 1, groups)), "bn", o, r, params);
        if (residual) {
            Tensor d = Cpu.param(gb, "d", values(Cpu.random(r, o * c), o, c, 1, 1), o, c, 1, 1);
            params.add("d");
            y = y.add(bn(gb, x.conv2d(d, ConvGeometry.of(1, 0, 1, 1)), "ds", o, r, params));
        }
        gb.output("y", y.relu());
        return new Net(gb.build(), params, c, o, side, kernel, groups);
    }

    private static void check(Net net, CpuExecutable exe, Parameters store, ReferenceBackend ref, float[] x, int batch, String what) {
        Map<String, HostTensor> feed = Map.of("x", HostTensor.of(x, batch, net.c(), net.side(), net.side()));
        Outputs got = exe.run(feed);
        try (var refExe = ref.compile(net.graph())) {
            for (String p : net.params()) refExe.parameters().set(p, store.get(p));
            HostTensor want = refExe.run(feed).get("y"), g = got.get("y");
            double scale = 0;
            for (int i = 0; i < want.size(); i++) if (Double.isFinite(want.get(i))) scale = Math.max(scale, Math.abs(want.get(i)));
            for (int i = 0; i < want.size(); i++) {
                double wv = want.get(i), gv = g.get(i);
                if (Double.isNaN(wv) || Double.isInfinite(wv)) {
                    assertEquals(wv, gv, what + " [" + i + "]");
                } else {
                    assertEquals(wv, gv, 2e-5 * Math.max(1, scale), what + " [" + i + "]");
                }
            }
        }
    }

    /** {c, o, side, kernel, groups}: GEMM lowering (5x5, few channels), Winograd-sized 3x3, depthwise 3x3 (direct), 1x1. */
    private static final int[][] SHAPES = {{3, 8, 9, 5, 1}, {32, 32, 20, 3, 1}, {16, 16, 12, 3, 16}, {8, 12, 7, 1, 1}};

    @Test
    void foldedConvolutionsMatchTheReference() {
        try (CpuBackend cpu = new CpuBackend(); ReferenceBackend ref = new ReferenceBackend()) {
            for (int[] s : SHAPES) {
                for (boolean residual : new boolean[] {false, true}) {
                    Net net = net(s[0], s[1], s[2], s[3], s[4], residual, 11 + s[0]);
                    Parameters store = cpu.newParameters(0);
                    try (CpuExecutable exe = (CpuExecutable) cpu.compile(store, net.graph())) {
                        Random r = new Random(5);
                        for (int batch : new int[] {1, 3}) {
                            String what = java.util.Arrays.toString(s) + (residual ? " residual" : "") + " batch " + batch;
                            check(net, exe, store, ref, Cpu.random(r, batch * s[0] * s[2] * s[2]), batch, what);
                            assertEquals(1, exe.lastPlan().foldedConvs(), what + ": convolutions folded");
                        }
                        // one copy for both plans
                        assertEquals((long) Float.BYTES * s[1] * (s[0] / s[4]) * s[3] * s[3], exe.foldedWeights().bytes(), "folded bytes");
                        assertEquals(1, exe.foldedWeights().foldCount(), "folded once for both plans");
                    }
                }
            }
        }
    }

    /**
     * NaN in the input, a NaN statistic (a NaN offset), a zero variance with a negative eps shift (an infinite scale):
     * the outputs are NaN or infinite exactly where the reference's are; the last two run the unfused path.
     */
    @Test
    void nanAndInfinityComeOutAsUnfused() {
        try (CpuBackend cpu = new CpuBackend(); ReferenceBackend ref = new ReferenceBackend()) {
            Net net = net(3, 8, 9, 5, 1, true, 3);
            Parameters store = cpu.newParameters(0);
            try (CpuExecutable exe = (CpuExecutable) cpu.compile(store, net.graph())) {
                Random r = new Random(9);
                float[] x = Cpu.random(r, 2 * 3 * 81);
                x[40] = Float.NaN;
                x[3 * 81 + 7] = Float.POSITIVE_INFINITY;
                check(net, exe, store, ref, x, 2, "nan input");
                float[] mean = store.get("bn.mean").floats().clone();
                mean[2] = Float.NaN;
                store.set("bn.mean", HostTensor.of(mean, 8));
                check(net, exe, store, ref, Cpu.random(r, 2 * 3 * 81), 2, "nan mean");
                mean[2] = 0;
                store.set("bn.mean", HostTensor.of(mean, 8));
                float[] var = store.get("bn.var").floats().clone();
                var[5] = (float) -EPS;
                store.set("bn.var", HostTensor.of(var, 8));
                check(net, exe, store, ref, Cpu.random(r, 2 * 3 * 81), 2, "infinite scale");
            }
        }
    }

    /**
     * A change of the weights or of the batch norm's parameters is read: the copy is made again, and a kernel that keeps
     * weights derived from it (Winograd's, 36 tiles of 32 channels) derives them again.
     */
    @Test
    void foldedWeightsFollowTheStore() {
        try (CpuBackend cpu = new CpuBackend(); ReferenceBackend ref = new ReferenceBackend()) {
            Net net = net(32, 32, 24, 3, 1, false, 4);
            Parameters store = cpu.newParameters(0);
            int size = 32 * 24 * 24;
            try (CpuExecutable exe = (CpuExecutable) cpu.compile(store, net.graph())) {
                Random r = new Random(2);
                check(net, exe, store, ref, Cpu.random(r, size), 1, "first");
                check(net, exe, store, ref, Cpu.random(r, size), 1, "second");
                assertEquals(1, exe.foldedWeights().foldCount(), "folded once");
                store.set("w", HostTensor.of(Cpu.random(r, 32 * 32 * 9), 32, 32, 3, 3));
                check(net, exe, store, ref, Cpu.random(r, size), 1, "new weights");
                check(net, exe, store, ref, Cpu.random(r, size), 1, "new weights, again");
                store.set("bn.gamma", HostTensor.of(Cpu.random(r, 32), 32));
                check(net, exe, store, ref, Cpu.random(r, size), 1, "new gamma");
                // another plan (batch 2) reads the copy the first one made, then the first plan reads it after a change
                check(net, exe, store, ref, Cpu.random(r, 2 * size), 2, "batch 2");
                float[] var = Cpu.random(r, 32);
                for (int i = 0; i < var.length; i++) var[i] = Math.abs(var[i]) + 0.1f;
                store.set("bn.var", HostTensor.of(var, 32));
                check(net, exe, store, ref, Cpu.random(r, 2 * size), 2, "new var, batch 2");
                check(net, exe, store, ref, Cpu.random(r, size), 1, "new var, batch 1");
                assertEquals(4, exe.foldedWeights().foldCount(), "folded again after each change");
            }
        }
    }

    /** A convolution that is an output, or read outside the chain, keeps its own buffer and is not folded. */
    @Test
    void noFoldWhereTheConvolutionIsNeededOnItsOwn() {
        Random r = new Random(6);
        GraphBuilder gb = new GraphBuilder();
        List<String> params = new ArrayList<>();
        Tensor x = gb.input("x", DType.F32, Shape.symbolic("N", 4, 6, 6));
        Tensor w = Cpu.param(gb, "w", values(Cpu.random(r, 4 * 4 * 9), 4, 4, 3, 3), 4, 4, 3, 3);
        params.add("w");
        Tensor c = x.conv2d(w, ConvGeometry.of(1, 1, 1, 1));
        gb.output("y", bn(gb, c, "bn", 4, r, params).relu());
        gb.output("c", c);
        Net net = new Net(gb.build(), params, 4, 4, 6, 3, 1);
        try (CpuBackend cpu = new CpuBackend(); ReferenceBackend ref = new ReferenceBackend()) {
            Parameters store = cpu.newParameters(0);
            try (CpuExecutable exe = (CpuExecutable) cpu.compile(store, net.graph())) {
                check(net, exe, store, ref, Cpu.random(r, 2 * 4 * 36), 2, "conv as output");
                assertEquals(0, exe.lastPlan().foldedConvs(), "not folded");
                assertTrue(exe.foldedWeights().bytes() == 0, "no copy");
            }
        }
    }
}
