package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Products whose K is split over workgroups ({@link MatMulKernel#splits}: one product whose tiles leave the device idle
 * and whose K is long, a weight gradient): the rule, then a table of products against the reference on the device (aligned
 * and bounds-checked sizes, a transposed A or B or both, a last split shorter than the others, NaN carried through the partial sums),
 * each also with {@code -Djasg.vulkan.matmul.splitK=false} for the same values in one pass, and run twice bit-identical; each
 * row in stream-K runs ({@link MatMulKernel#streamKernel}, the default where the device's compute units are known) and in
 * parts of K ({@code -Djasg.vulkan.matmul.streamK=false}).
 */
class MatMulSplitKTest extends OnGpu {
    private static final MatMulKernel.Tiles MID = new MatMulKernel.Tiles(128, 128, 16, 8, 8);

    @ParameterizedTest
    @CsvSource({
        "768, 768, 8192, 1, 4",     // 36 tiles: 4 splits of 2048 make 144 workgroups
        "768, 2304, 8192, 1, 2",    // 108 tiles: 2 splits
        "768, 3072, 8192, 1, 1",    // 144 tiles fill the device
        "512, 512, 4096, 1, 8",     // 16 tiles; K 4096 allows 8 splits of 512
        "512, 512, 1000, 1, 1",     // K too short to split
        "256, 256, 1024, 1, 1",     // too little work (the small transformer's weight gradient)
        "768, 768, 8192, 2, 1",     // batched: never split
        "64, 64, 1000000, 1, 16"})  // at most 16
    void theSplitRule(int m, int n, int k, long batches, int splits) {
        assertEquals(splits, MatMulKernel.splits(MID, m, n, k, batches));
    }

    @Test
    void noSplitIsEmpty() {
        // 9 steps of 512 in 8 splits would leave the last three empty: 5 splits of 2 steps (the last of 1)
        MatMulKernel.Tiles deep = new MatMulKernel.Tiles(128, 128, 512, 8, 8);
        assertEquals(5, MatMulKernel.splits(deep, 512, 512, 4608, 1));
        assertEquals(2, MatMulKernel.stepsPerSplit(deep, 4608, 5));
    }

    @Test
    void theSwitchTurnsItOff() {
        System.setProperty(MatMulKernel.SPLIT_K_PROPERTY, "false");
        try {
            assertEquals(1, MatMulKernel.splits(MID, 768, 768, 8192, 1));
        } finally {
            System.clearProperty(MatMulKernel.SPLIT_K_PROPERTY);
        }
    }

    private static final MatMulKernel.Tiles LARGE = new MatMulKernel.Tiles(128, 256, 8, 8, 16), SMALL = new MatMulKernel.Tiles(64, 64, 32, 4, 4),
            NARROW = new MatMulKernel.Tiles(128, 64, 32, 8, 4);
    private static final List<MatMulKernel.Tiles> TILES = List.of(LARGE, MID, NARROW, SMALL);

    /**
     * The wave-counting schedule on 132 compute units (an H200 or an H100), against what the same products measured there at
     * each tile and split (MatmulBench --product; `gpu-machine.sh schedule`): the GPT-2-sized step's weight gradients, which
     * read A transposed, split on the large tile into as many parts as fill whole waves, any count up to 16 (0.92 ms against
     * 1.83 unsplit on 128x128, H200, 2026-12-04); its input gradients unsplit on the middle tile (H100, 2026-12-05: faster than
     * split on the large tile, which the H200 had measured the other way round before the swizzle and two-stage changes);
     * epilogues on the middle tile; products that fill the device as they are stay as the count rule had them.
     */
    @ParameterizedTest
    @CsvSource({
        "3072, 768, 8192, 1, false, true, L, 9",    // large/9 0.916 ms (large/16 0.959, large/7 0.934, large/8 1.016, middle/1 1.835); H100 large/9 0.907
        "768, 3072, 8192, 1, false, true, L, 9",
        "768, 768, 8192, 1, false, true, L, 7",     // large/7 0.244 ms: 126 workgroups, one wave (large/16 0.330, middle/7 0.287, middle/16 0.377)
        "2304, 768, 8192, 1, false, true, L, 7",    // H100: large/16 0.750, large/2 0.775, large/4 0.792, middle/4 0.953, middle/8 0.960
        "8192, 768, 3072, 1, false, false, M, 1",   // H100: middle/1 0.883 ms, large/2 0.943, large/4 0.973, large/1 1.156 (cuBLAS 0.891)
        "8192, 768, 2304, 1, false, false, M, 1",   // H100: middle/1 0.669 ms, large/2 0.727 (cuBLAS 0.651)
        "8192, 768, 768, 1, false, false, M, 1",    // middle/1 0.259 ms (large/1 0.316)
        "8192, 3072, 768, 1, false, false, L, 1",   // H100: large/1 0.889 ms, middle/1 0.903
        "8192, 768, 3072, 1, true, false, M, 1",    // epilogue: middle/1 1.217 ms (small 1.444)
        "4096, 4096, 4096, 1, false, false, L, 1",
        "1024, 1024, 64, 96, false, false, M, 1",   // batched, never split; attention's scores: H100 middle 0.384 ms, narrow 0.387, small 0.418, large 0.457
        "1024, 64, 1024, 96, false, false, N, 1",   // a 64-wide product (P V): the narrow tile, not a quarter-empty large one (H100 0.327 ms, small 0.399, large 1.416)
        "256, 256, 1024, 1, false, false, S, 1"})   // too little work to split
    void theWaveSchedule(int m, int n, int k, long batches, boolean epilogue, boolean transA, String tile, int splits) {
        MatMulKernel.Schedule s = MatMulKernel.schedule(TILES, m, n, k, batches, epilogue, 132, transA);
        assertEquals(tile(tile), s.tiles());
        assertEquals(splits, s.splits());
    }

    /**
     * The switches that restore the schedule's older costs, to compare on a device: each product's schedule with the
     * property set, then without it. Without the store's cost ({@link MatMulKernel#storeSeconds}) attention's shallow scores
     * product goes back to the large tile; at the middle tile's old rate an input gradient splits on the large tile again.
     */
    @ParameterizedTest
    @CsvSource({
        "jasg.vulkan.matmul.storeCost, false, 1024, 1024, 64, 96, L, 1, M, 1",
        "jasg.vulkan.matmul.middleRate, 0.91, 8192, 768, 3072, 1, L, 2, M, 1"})
    void theSwitchesRestoreTheOldCosts(String property, String value, int m, int n, int k, long batches, String was, int wasSplits,
                                       String now, int nowSplits) {
        System.setProperty(property, value);
        try {
            assertEquals(new MatMulKernel.Schedule(tile(was), wasSplits), MatMulKernel.schedule(TILES, m, n, k, batches, false, 132));
        } finally {
            System.clearProperty(property);
        }
        assertEquals(new MatMulKernel.Schedule(tile(now), nowSplits), MatMulKernel.schedule(TILES, m, n, k, batches, false, 132));
    }

    private static MatMulKernel.Tiles tile(String name) {
        return switch (name) { case "L" -> LARGE; case "M" -> MID; case "N" -> NARROW; default -> SMALL; };
    }

    @Test
    void unknownUnitsKeepTheCountRule() {
        assertEquals(new MatMulKernel.Schedule(MID, 4), MatMulKernel.schedule(TILES, 768, 768, 8192, 1, false, 0));
        assertEquals(new MatMulKernel.Schedule(MID, 1), MatMulKernel.schedule(TILES, 3072, 768, 8192, 1, false, 0));
        assertEquals(new MatMulKernel.Schedule(LARGE, 1), MatMulKernel.schedule(TILES, 4096, 4096, 4096, 1, false, 0));
    }

    @Test
    void aForcedScheduleAppliesWhereItCan() {
        System.setProperty(MatMulKernel.SCHEDULE_PROPERTY, "1/4");
        try {
            assertEquals(new MatMulKernel.Schedule(MID, 4), MatMulKernel.schedule(TILES, 768, 768, 8192, 1, false, 132));
            assertEquals(new MatMulKernel.Schedule(MID, 1), MatMulKernel.schedule(TILES, 768, 768, 8192, 2, false, 132)); // batched
            assertEquals(new MatMulKernel.Schedule(MID, 1), MatMulKernel.schedule(TILES, 768, 768, 8192, 1, true, 132));  // epilogue
        } finally {
            System.clearProperty(MatMulKernel.SCHEDULE_PROPERTY);
        }
    }

    /** {@code schedule}: a {@value MatMulKernel#SCHEDULE_PROPERTY} to force, or null for the device's own. */
    record Row(String name, int[] x, int[] y, boolean nan, BinaryOperator<Tensor> build, String schedule) {
        Row(String name, int[] x, int[] y, boolean nan, BinaryOperator<Tensor> build) {
            this(name, x, y, nan, build, null);
        }
    }

    static List<Row> rows() {
        // each at the work floor (2^30 multiply-adds), the reference's double loops being the slow part
        return List.of(
                new Row("x y, 128-aligned, 8 splits", new int[] {512, 4096}, new int[] {4096, 512}, false, Tensor::matmul),
                new Row("x^T y (a weight gradient), A read transposed, odd sizes, last split shorter", new int[] {9000, 370},
                        new int[] {9000, 330}, false, (x, y) -> x.mT().matmul(y)),
                new Row("x y^T (a Linear layer's input gradient), B read transposed, 128-aligned", new int[] {512, 4096},
                        new int[] {512, 4096}, false, (x, y) -> x.matmul(y.mT())),
                new Row("x^T y^T, both read transposed, odd sizes, on the large tile in 3 splits (forced)", new int[] {8200, 400},
                        new int[] {330, 8200}, false, (x, y) -> x.mT().matmul(y.mT()), "0/3"),
                new Row("(x^T y)^T (a weight gradient as W), computed as y^T x, odd sizes", new int[] {9000, 330}, new int[] {9000, 370}, false,
                        (x, y) -> x.mT().matmul(y).mT()),
                new Row("NaN in one split", new int[] {256, 16384}, new int[] {16384, 256}, true, Tensor::matmul),
                new Row("x^T y on the large tile in 4 splits (forced), odd sizes", new int[] {8200, 400}, new int[] {8200, 330}, false,
                        (x, y) -> x.mT().matmul(y), "0/4"),
                new Row("two split products in one plan, the workspace shared", new int[] {9000, 370}, new int[] {9000, 330}, false,
                        (x, y) -> x.mT().matmul(y).sum(0).add(x.mT().matmul(y.exp()).sum(0))));
    }

    private static Graph graph(Row row) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, Shape.of(row.x())), y = b.input("y", DType.F32, Shape.of(row.y()));
        b.output("c", row.build().apply(x, y));
        return b.build();
    }

    private static Map<String, HostTensor> feeds(Row row) {
        Map<String, HostTensor> f = TransposedOperandTest.feeds(row.name(), row.x(), row.y());
        if (!row.nan()) return f;
        float[] x = f.get("x").floats().clone();
        x[3 * row.x()[1] + 12000] = Float.NaN;   // row 3, column 12000: the twelfth of 16 splits
        f.put("x", HostTensor.of(x, row.x()));
        return f;
    }

    /**
     * A backend told of 4 compute units, so that a split product's parts take more than one wave and it runs in stream-K
     * runs (its rows' schedules forced to split: 4 units alone would leave most products unsplit).
     */
    private static VulkanBackend withUnits;

    @BeforeAll
    static void openWithUnits() {
        withUnits = Gpu.openWithUnits(4);
    }

    @AfterAll
    static void closeWithUnits() {
        if (withUnits != null) withUnits.close();
        withUnits = null;
    }

    /** Stream-K's runs and the most a tile takes (a tile's steps over runs that straddle it). */
    @Test
    void streamRuns() {
        // [3072,8192] x [8192,768] on the large tile: 72 tiles of 1024 steps over 132 units, runs of 559, at most 3 a tile
        assertEquals(559, MatMulKernel.streamSteps(72, 1024, 132));
        assertEquals(3, MatMulKernel.streamRuns(1024, 559));
        assertEquals(2, MatMulKernel.streamRuns(1024, 1024));
        assertEquals(1, MatMulKernel.streamRuns(1, 5));
        // every tile's runs counted as stream_sum.comp counts them, against the runs that overlap it
        for (int[] c : new int[][] {{72, 1024, 132}, {18, 1024, 132}, {7, 13, 5}, {1, 100, 8}, {50, 3, 7}}) {
            int steps = MatMulKernel.streamSteps(c[0], c[1], c[2]);
            for (long t = 0; t < c[0]; t++) {
                long runs = ((t + 1) * c[1] - 1) / steps - t * c[1] / steps + 1, overlapping = 0;
                for (long w = 0; w * steps < (long) c[0] * c[1]; w++) if (w * steps < (t + 1) * c[1] && (w + 1) * steps > t * c[1]) overlapping++;
                assertEquals(overlapping, runs, java.util.Arrays.toString(c) + " tile " + t);
                assertTrue(runs <= MatMulKernel.streamRuns(c[1], steps), java.util.Arrays.toString(c) + " tile " + t);
            }
        }
    }

    @Tag("gpu")
    @TestFactory
    Stream<DynamicTest> splitProductsMatchTheReference() {
        return rows().stream().flatMap(row -> Stream.of(true, false).map(stream -> DynamicTest.dynamicTest(row.name() + (stream ? " (stream-K)" : " (split K)"), () -> {
            if (!stream) System.setProperty(MatMulKernel.STREAM_K_PROPERTY, "false");
            try {
                check(row, stream);
            } finally {
                System.clearProperty(MatMulKernel.STREAM_K_PROPERTY);
            }
        })));
    }

    private static void check(Row row, boolean stream) {
        VulkanBackend gpu = stream ? withUnits : OnGpu.gpu;
        String schedule = row.schedule() != null ? row.schedule() : stream ? "1/4" : null;   // the middle tile in 4 parts
        {
            Graph graph = graph(row);
            Map<String, HostTensor> feeds = feeds(row);
            HostTensor want;
            try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(graph)) {
                want = e.run(feeds).get("c");
            }
            float[] first;
            if (schedule != null) System.setProperty(MatMulKernel.SCHEDULE_PROPERTY, schedule);
            try (Executable e = gpu.compile(graph)) {
                Outputs o = e.run(feeds);
                Gpu.assertClose(row.name(), want, o.get("c"), 1e-4);
                first = o.get("c").floats();
                // two more runs, the first with x doubled (every product and sum exactly doubled), the second as the first run:
                // nothing of a run is left for the next to read
                Map<String, HostTensor> doubled = new java.util.HashMap<>(feeds);
                float[] x2 = feeds.get("x").floats().clone();
                for (int i = 0; i < x2.length; i++) x2[i] *= 2;
                doubled.put("x", HostTensor.of(x2, row.x()));
                for (int run = 0; run < 2; run++) {
                    float[] again = e.run(run == 0 ? doubled : feeds).get("c").floats();
                    for (int i = 0; i < first.length; i++) {
                        float expect = run == 0 ? first[i] * 2 : first[i];
                        assertEquals(Float.floatToRawIntBits(expect), Float.floatToRawIntBits(again[i]), row.name() + ": run " + (run + 2) + ", element " + i);
                    }
                }
            } finally {
                System.clearProperty(MatMulKernel.SCHEDULE_PROPERTY);
            }
            String kind = stream ? "_streamk" : "_splitk";
            assertTrue(gpu.kernelNames().stream().anyMatch(nm -> nm.endsWith(kind)), "a" + kind + " product ran: " + gpu.kernelNames());
            assertTrue(gpu.kernelNames().contains(stream ? "stream_sum" : "split_sum"), "the partials were summed: " + gpu.kernelNames());
            if (row.schedule() != null) {
                assertTrue(gpu.kernelNames().stream().anyMatch(nm -> nm.startsWith("matmul_128x256") && nm.endsWith(kind)),
                        "the large tile ran split: " + gpu.kernelNames());
            }
            if (row.nan()) {
                float[] c = first;
                int cols = row.y()[1];
                for (int j = 0; j < cols; j++) assertTrue(Float.isNaN(c[3 * cols + j]), "NaN reaches row 3, column " + j);
                assertTrue(!Float.isNaN(c[0]), "rows without the NaN stay numbers");
            }
            System.setProperty(MatMulKernel.SPLIT_K_PROPERTY, "false");
            try (Executable e = gpu.compile(graph)) {
                Gpu.assertClose(row.name() + " (one pass)", want, e.run(feeds).get("c"), 1e-4);
            } finally {
                System.clearProperty(MatMulKernel.SPLIT_K_PROPERTY);
            }
        }
    }
}
