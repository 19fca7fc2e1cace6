package dev.jasg.cpu;

import dev.jasg.core.Anomaly;
import dev.jasg.core.Backend;
import dev.jasg.testkit.AnomalyCases;
import dev.jasg.testkit.NanCases;
import dev.jasg.testkit.OpCase;
import dev.jasg.testkit.OpCases;
import dev.jasg.testkit.OpCheck;
import dev.jasg.testkit.SmallArguments;
import dev.jasg.testkit.TorchElementwiseValues;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** Every row of the op table, forward and gradient graphs, on the CPU backend against the reference interpreter. */
class CpuOpTableTest {
    private static Backend cpu;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend();
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    @TestFactory
    Stream<DynamicTest> cpuMatchesReference() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest("cpu: " + c.name(), () -> OpCheck.againstReference(cpu, c)));
    }

    /**
     * Rows of the CPU's own: softmax, log-softmax and layer norm over rows long enough for every loop of their Vector API
     * kernels (the op table's rows of 3 to 6 run only their scalar tails), against the reference. Whether the vector
     * kernel or its scalar twin runs is the warm-up's choice at the time ({@link WarmKernels}); {@code ScalarTwinsTest}
     * holds the two to the same bits.
     */
    @TestFactory
    Stream<DynamicTest> cpuMatchesReferenceOnLongRows() {
        OpCase.Domain wide = new OpCase.Domain.Uniform(-8, 8);
        java.util.List<OpCase> rows = new java.util.ArrayList<>();
        for (int n : new int[] {33, 130, 768}) {
            rows.add(OpCase.row("softmax rows of " + n).arg(wide, 3, n).expect(new int[] {3, n}, (g, a) -> a.get(0).softmax(-1)));
            rows.add(OpCase.row("log_softmax rows of " + n).arg(wide, 3, n).expect(new int[] {3, n}, (g, a) -> a.get(0).logSoftmax(-1)));
            rows.add(OpCase.row("normalize rows of " + n).arg(wide, 3, n).expect(new int[] {3, n}, (g, a) -> a.get(0).normalize(new int[] {-1}, 1e-5)));
        }
        rows.add(OpCase.row("normalize last two axes, groups of 150").arg(wide, 2, 3, 50)
                .expect(new int[] {2, 3, 50}, (g, a) -> a.get(0).normalize(new int[] {1, 2}, 1e-5)));
        return rows.stream().map(c -> DynamicTest.dynamicTest("cpu long rows: " + c.name(), () -> OpCheck.againstReference(cpu, c)));
    }

    /** NaN propagates as in PyTorch through every comparison-based kernel (issue 13 item 5). */
    @TestFactory
    Stream<DynamicTest> cpuPropagatesNaN() {
        return NanCases.all().stream().map(c -> DynamicTest.dynamicTest("cpu NaN: " + c.name(), () -> NanCases.check(cpu, c)));
    }

    /** log1p, expm1, tanh near 0 and log near 1 keep their relative accuracy (issue 13 item 8). */
    @TestFactory
    Stream<DynamicTest> cpuAccurateNearZero() {
        return SmallArguments.all().stream().map(r -> DynamicTest.dynamicTest("cpu near 0: " + r.name(), () -> SmallArguments.check(cpu, r)));
    }

    @AfterEach
    void anomalyModeOff() {
        Anomaly.setEnabled(false);
    }

    /** The anomaly-mode table (issue 13 item 16), on a backend whose normal plans reuse, fuse and overwrite buffers. */
    @TestFactory
    Stream<DynamicTest> cpuNamesTheFirstNonFiniteNode() {
        return AnomalyCases.all().stream().map(c -> DynamicTest.dynamicTest("cpu anomaly: " + c.name(), () -> c.check().accept(cpu)));
    }

    /** The profiling table (issue 17): host time per kernel and memory per node of the last run. */
    @TestFactory
    Stream<DynamicTest> cpuProfilesEveryNode() {
        return dev.jasg.testkit.ProfilingCases.all().stream().map(c -> DynamicTest.dynamicTest("cpu profiling: " + c.name(), () -> c.check().accept(cpu)));
    }

    /** The elementwise functions of issue 14 at their tricky arguments give PyTorch's values. */
    @TestFactory
    Stream<DynamicTest> cpuMatchesPyTorchElementwise() {
        return TorchElementwiseValues.all().stream().map(c -> DynamicTest.dynamicTest("cpu vs PyTorch: " + c.name(), () -> TorchElementwiseValues.check(cpu, c)));
    }
}
