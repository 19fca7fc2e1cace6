package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Products of weights packed once ({@link PackedWeights}, {@link Gemm#gemmPacked}): the same bits as the products
 * that pack on every call, over shapes that take each way of splitting (one thread, by rows, by columns, several
 * depth slices, a packed and an in-place A, a last partial strip), and never a stale panel when the weights change.
 */
class PackedWeightsTest {
    /** {m, k, n}: serial, rows (m >= n), columns (n > m), slices (k > KC), an A with rows 4 KiB apart (packed). */
    private static final int[][] SHAPES = {{3, 4, 5}, {200, 300, 70}, {24, 300, 301}, {130, 600, 97}, {40, 1024, 200}, {13, 77, 2100}};

    @Test
    void packedProductsGiveTheSameBitsAsPackingEveryCall() {
        assumeTrue(PackedWeights.supported(), "packed weights are not used here (EJML fallback)");
        Random r = new Random(7);
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            for (int layout = 0; layout < 3; layout++) {
                // 0: A B, 1: A B^T, 2: A^T B (A stored [k, m])
                boolean tb = layout == 1, ta = layout == 2;
                for (boolean bias : new boolean[] {false, true}) {
                    float[] a = Cpu.random(r, m * k), w = Cpu.random(r, k * n), b = Cpu.random(r, n);
                    MatMulKernel.Geometry g = MatMulKernel.plan(new int[] {m, k}, new int[] {k, n});
                    float[] want = new float[m * n], got = new float[m * n];
                    MatMulKernel.multiply(g, DType.F32, a, ta, w, tb, want, false, bias ? b : null, 1);
                    float[] bp = new float[Gemm.panelSize(k, n)];
                    if (tb) Gemm.packPanel(k, n, w, 0, 1, k, bp);
                    else Gemm.packPanel(k, n, w, 0, n, 1, bp);
                    java.util.Arrays.fill(got, Float.NaN);
                    MatMulKernel.multiplyPacked(g, a, ta, bp, got, bias ? b : null, 1);
                    // the depth split (a small C, a long depth) sums in another order: there, within rounding
                    boolean depthSplit = (long) ((m + Gemm.MR - 1) / Gemm.MR) * ((n + Gemm.NR - 1) / Gemm.NR) < 4L * CpuThreads.PARALLELISM
                            && k >= 2 * Gemm.KC * CpuThreads.PARALLELISM && CpuThreads.PARALLELISM > 1;
                    for (int i = 0; i < want.length; i++) {
                        String what = m + "x" + k + "x" + n + (ta ? " A^T" : "") + (tb ? " B^T" : "") + (bias ? " +bias" : "") + " [" + i + "]";
                        if (depthSplit) assertEquals(want[i], got[i], 1e-5f * Math.max(1, Math.abs(want[i])), what);
                        else assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), what);
                    }
                }
            }
        }
    }

    /**
     * An inference executable of {@code x w + b} and {@code x v^T} over two batch sizes packs each weight once for
     * both plans, matches the reference, and packs again (reading the new values) after a training step of another
     * executable writes a weight in place, and after {@code set}.
     */
    @Test
    void weightsArePackedOnceAndAgainWhenTheStoreChanges() {
        assumeTrue(PackedWeights.supported(), "packed weights are not used here (EJML fallback)");
        int k = 300, n = 70;
        GraphBuilder gb = new GraphBuilder();
        Random r = new Random(3);
        Tensor w = Cpu.param(gb, "w", new Init.Values(HostTensor.of(Cpu.random(r, k * n), k, n)), k, n);
        Tensor v = Cpu.param(gb, "v", new Init.Values(HostTensor.of(Cpu.random(r, n * k), n, k)), n, k);
        Tensor b = Cpu.param(gb, "b", new Init.Values(HostTensor.of(Cpu.random(r, n), n)), n);
        Tensor x = gb.input("x", DType.F32, dev.jasg.core.Shape.symbolic("N", 40, k));
        gb.output("y", x.matmul(w).add(b));
        gb.output("z", x.matmul(v.mT()));
        Graph forward = gb.build();
        GraphBuilder u = new GraphBuilder(forward);
        Tensor wu = u.tensor(w.id());
        u.assign(wu, wu.mul(0.5));
        Graph update = u.build();
        try (CpuBackend cpu = new CpuBackend(); ReferenceBackend ref = new ReferenceBackend()) {
            Parameters store = cpu.newParameters(0);
            CpuExecutable eval = (CpuExecutable) cpu.compile(store, forward);
            var step = cpu.compile(store, update);
            var refEval = ref.compile(forward);
            for (int round = 0; round < 4; round++) {
                for (int batch : new int[] {1, 3}) {
                    Map<String, HostTensor> feed = Map.of("x", HostTensor.of(Cpu.random(r, batch * 40 * k), batch, 40, k));
                    Outputs got = eval.run(feed);
                    // the reference holds its own store: give it the cpu store's current values
                    for (String p : new String[] {"w", "v", "b"}) refEval.parameters().set(p, store.get(p));
                    Outputs want = refEval.run(feed);
                    for (String o : new String[] {"y", "z"}) {
                        HostTensor gw = want.get(o), gg = got.get(o);
                        for (int i = 0; i < gw.size(); i++) {
                            assertEquals(gw.get(i), gg.get(i), 1e-4 * Math.max(1, Math.abs(gw.get(i))), "round " + round + " batch " + batch + " " + o + "[" + i + "]");
                        }
                    }
                }
                // two plans, two weights, each packed once for both plans: again after each change of the store
                assertEquals((long) Float.BYTES * 2 * Gemm.panelSize(k, n), eval.packedWeights().bytes(), "round " + round);
                assertEquals(2 * Math.max(1, round), eval.packedWeights().packCount(), "packs after round " + round);
                if (round == 1) step.run(Map.of("x", HostTensor.of(new float[40 * k], 1, 40, k)));
                if (round == 2) store.set("v", HostTensor.of(Cpu.random(r, n * k), n, k));
            }
        }
    }
}
