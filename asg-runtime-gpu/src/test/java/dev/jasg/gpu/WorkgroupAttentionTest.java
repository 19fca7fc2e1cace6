package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The tensor-core attention kernels ({@link WorkgroupAttentionKernels}, {@code VK_NV_cooperative_matrix2}) as a table, on a
 * device that has them (an NVIDIA GPU; elsewhere the rows are skipped with the device's answer): the forward, statistics
 * and the three gradients of {@link AttentionKernelsTest}'s graph against the reference. The weights (and their gradients)
 * are rounded to the operand type before their second product, as the composite graph's autocast rounds them, and g is
 * rounded for its products, so the bound is the type's: 2.5e-2 (bf16, 8 bits) and 4e-3 (f16, 11 bits) of the tensor's
 * scale, where a wrong mask, block or statistic is off by the scale itself. Rows: head dimensions 64 and 32/96 and
 * 128, lengths crossing the blocks and shorter than one, causal with Lq != Lk, a NaN in a query, a 64x64 block.
 */
@Tag("gpu")
class WorkgroupAttentionTest extends OnGpu {

    static List<AttentionKernelsTest.Row> rows() {
        List<AttentionKernelsTest.Row> r = new ArrayList<>();
        for (DType t : new DType[] {DType.BF16, DType.F16}) {
            for (boolean causal : new boolean[] {false, true}) {
                r.add(new AttentionKernelsTest.Row(new int[] {2, 3}, 130, 130, 64, 64, causal, 0.125, t, 0, null));
                r.add(new AttentionKernelsTest.Row(new int[] {2}, 70, 100, 32, 96, causal, 0.2, t, 0, null));
                r.add(new AttentionKernelsTest.Row(new int[] {1}, 100, 37, 128, 64, causal, 1 / Math.sqrt(128), t, 0, null));
                r.add(new AttentionKernelsTest.Row(new int[] {3}, 5, 9, 64, 32, causal, 0.3, t, 0, null));
            }
            r.add(new AttentionKernelsTest.Row(new int[] {1, 2}, 20, 20, 32, 32, true, 0.35, t, 1, null));
            r.add(new AttentionKernelsTest.Row(new int[] {2}, 150, 140, 64, 64, true, 0.125, t, 0, "64x64"));
        }
        return r;
    }

    private static boolean available(DType t) {
        CoopMatrix.Workgroup w = gpu.device().coopMatrix.workgroup();
        return w != null && w.attention() && w.supports(t);
    }

    @TestFactory
    Stream<DynamicTest> attentionMatchesTheReference() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Assumptions.assumeTrue(available(row.dtype()), gpu.device().name + " has no workgroup-scope tensor-core attention for " + row.dtype()
                    + " (" + gpu.device().coopMatrix.summary() + ")");
            if (row.tiles() != null) System.setProperty(WorkgroupAttentionKernels.TILE_PROPERTY, row.tiles());
            try {
                check(row);
            } finally {
                System.clearProperty(WorkgroupAttentionKernels.TILE_PROPERTY);
            }
        }));
    }

    private static void check(AttentionKernelsTest.Row row) {
        {
            Graph graph = AttentionKernelsTest.graph(row);
            Map<String, HostTensor> feeds = AttentionKernelsTest.feeds(row, graph);
            Map<String, HostTensor> want = new TreeMap<>();
            try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(graph)) {
                Outputs o = e.run(feeds);
                for (String n : o.names()) want.put(n, o.get(n));
            }
            double tol = row.dtype() == DType.BF16 ? 2.5e-2 : 4e-3;
            try (Executable e = gpu.compile(graph)) {
                Outputs o = e.run(feeds);
                Map<String, float[]> first = new TreeMap<>();
                for (String n : want.keySet()) {
                    if (row.nan() == 0) RowGradientTest.assertClose(row.name() + ": " + n, want.get(n), o.get(n), tol);
                    first.put(n, o.get(n).floats());
                }
                if (row.nan() == 1) {
                    // the NaN query's output row is NaN, the other rows of its matrix and the first matrix are finite
                    HostTensor out = o.get("o");
                    int ev = row.ev(), lq = row.lq();
                    for (int i = 0; i < lq; i++) {
                        assertTrue(Double.isNaN(out.get((lq + i) * ev)) == (i == 4), row.name() + ": row " + i + " of the second matrix");
                        assertFalse(Double.isNaN(out.get(i * ev)), row.name() + ": the first matrix stays finite");
                    }
                }
                Outputs again = e.run(feeds);
                for (var f : first.entrySet()) assertArrayEquals(f.getValue(), again.get(f.getKey()).floats(), row.name() + ": " + f.getKey() + " run twice");
            }
            for (String kind : List.of("attention_wg", "attention_stats_wg", "attention_grad_q_wg", "attention_grad_k_wg", "attention_grad_v_wg")) {
                assertTrue(gpu.kernelNames().stream().anyMatch(nm -> nm.startsWith(kind + "_")), kind + " ran: " + gpu.kernelNames());
            }
        }
    }

    @Test
    void onlyHeadDimensionsOfWholeGranulesFit() {
        CoopMatrix.Workgroup w = new CoopMatrix.Workgroup(true, true, 256, 32, 32, 16, 1024, true);
        assertTrue(WorkgroupAttentionKernels.fits(w, DType.BF16, 64, 64));
        assertTrue(WorkgroupAttentionKernels.fits(w, DType.F16, 32, 128));
        assertFalse(WorkgroupAttentionKernels.fits(w, DType.F32, 64, 64));
        assertFalse(WorkgroupAttentionKernels.fits(w, DType.BF16, 48, 64));
        assertFalse(WorkgroupAttentionKernels.fits(w, DType.BF16, 64, 160));
        assertFalse(WorkgroupAttentionKernels.fits(new CoopMatrix.Workgroup(true, true, 256, 32, 32, 16, 1024, false), DType.BF16, 64, 64));
        assertFalse(WorkgroupAttentionKernels.fits(null, DType.BF16, 64, 64));
    }
}
