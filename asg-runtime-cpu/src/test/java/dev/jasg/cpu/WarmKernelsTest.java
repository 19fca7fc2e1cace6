package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jasg.core.CompareOp;
import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Program;
import dev.jasg.core.Tensor;
import dev.jasg.core.UnaryOp;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The warm-up of the Vector API kernels in its {@code compiled} mode (the module's pom runs the tests in it): which
 * kernels a program asks for, and that a kernel asked for is compiled by the warm-up thread and then used
 * ({@link WarmKernels.Kernel#readyFor}). The modes' switching rules: {@link WarmUpModeTest}.
 */
class WarmKernelsTest {
    @Test
    void everyVectorisedUnaryFunctionAndComparisonHasAKernel() {
        Set<UnaryOp> vectorised = EnumSet.of(UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.ERF, UnaryOp.GELU, UnaryOp.RELU, UnaryOp.SILU,
                UnaryOp.SOFTPLUS, UnaryOp.ELU);
        for (UnaryOp k : UnaryOp.values()) {
            if (vectorised.contains(k)) assertNotNull(WarmKernels.unaryKernel(k), k.toString());
            else assertNull(WarmKernels.unaryKernel(k), k.toString());
        }
        Set<WarmKernels.Kernel> compares = EnumSet.noneOf(WarmKernels.Kernel.class);
        for (CompareOp k : CompareOp.values()) compares.add(WarmKernels.compareKernel(k));
        assertTrue(compares.size() == CompareOp.values().length, "one kernel per comparison: " + compares);
    }

    @Test
    void attentionNodesAskForTheAttentionRowKernel() {
        assumeTrue(WarmKernels.MODE == WarmKernels.Mode.COMPILED, "the Vector API is off in this JVM, or its warm-up mode is not compiled (the module's pom sets it)");
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, 2, 4, 8);
        g.output("lse", g.apply(new dev.jasg.core.Op.AttentionStats(0.5, true), q, q));
        WarmKernels.requestFor(Program.of(List.of(g.build())));
        assertTrue(WarmKernels.Kernel.ATTENTION.requested(), "the attention row kernel was not asked for");
    }

    @Test
    void normalizeNodesAskForTheLayerNormRowKernel() {
        assumeTrue(WarmKernels.MODE == WarmKernels.Mode.COMPILED, "the Vector API is off in this JVM, or its warm-up mode is not compiled (the module's pom sets it)");
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 4, 768);
        g.output("y", x.normalize(new int[] {-1}, 1e-5));
        WarmKernels.requestFor(Program.of(List.of(g.build())));
        assertTrue(WarmKernels.Kernel.NORMALIZE.requested(), "the layer norm row kernel was not asked for");
    }

    @Test
    void aProgramAsksForTheKernelsItsNodesRunAndTheyGetCompiled() throws InterruptedException {
        assumeTrue(WarmKernels.MODE == WarmKernels.Mode.COMPILED, "the Vector API is off in this JVM, or its warm-up mode is not compiled (the module's pom sets it)");
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 4, 8), w = g.input("w", DType.F32, 8, 8);
        g.output("y", x.matmul(w).gelu().softmax(-1).tanh());
        WarmKernels.requestFor(Program.of(List.of(g.build())));
        List<WarmKernels.Kernel> asked = List.of(WarmKernels.Kernel.GELU, WarmKernels.Kernel.SOFTMAX, WarmKernels.Kernel.TANH);
        for (WarmKernels.Kernel k : asked) assertTrue(k.requested(), k + " was not asked for");
        // compiled within seconds on any machine with C2; allow a loaded CI machine two minutes
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!WarmKernels.Kernel.GELU.compiled() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(WarmKernels.Kernel.GELU.compiled(), "GELU was not compiled in two minutes");
        assertTrue(WarmKernels.Kernel.GELU.runsVector(), "GELU compiled but not used");
    }
}
