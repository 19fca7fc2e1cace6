package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import java.util.stream.Stream;
import dev.jasg.core.Parameters;
import dev.jasg.core.reference.ReferenceBackend;

/**
 * The kernels of a pre-LN transformer block's training step (the graph of {@code dev.jasg.nn.attention.TransformerEncoderBlock}
 * with {@code normFirst}, built here from the same core ops since asg-nn's tests depend on this module: layer norm, attention
 * with softmax, residual, layer norm, a GELU feed-forward, residual; loss mean(y^2); gradients by asg-autograd; an SGD
 * update): with row gradients ({@link RowGradient}) its layer norm backward (the normalisation's: a mean of x, a variance, an
 * rsqrt, a mean of g, a mean of g*y, the combine, and g = dy * w before them) runs as one kernel; the softmax's backward
 * needs no row kernel (its row sums come from the product {@code P V}, the rest is a product's epilogue). The count, from the plan's fusion, is checked against the dispatches the device plan
 * records; the step's loss and updated parameters match the reference backend's.
 */
@Tag("gpu")
class TransformerStepPlanTest {
    static final int B = 2, S = 16, D = 32, H = 4, FF = 64;

    /** A training step of {@code blocks} pre-LN blocks (each as TransformerEncoderBlock with normFirst), loss mean(y^2), SGD. */
    static List<Graph> step(int blocks) {
        GraphBuilder f = new GraphBuilder();
        Tensor y = f.input("x", DType.F32, B, S, D);
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < blocks; i++) y = block(f, "b" + i + ".", y, params);
        Tensor loss = y.square().mean();
        f.output("loss", loss);
        Graph fwd = f.build();
        Graph grads = Autograd.gradients(fwd, loss, params);
        GraphBuilder u = new GraphBuilder(grads);
        for (Tensor p : params) {
            Tensor gp = u.tensor(grads.outputs().get(Autograd.outputName(fwd.node(p.id()))));
            u.assign(u.tensor(p.id()), u.tensor(p.id()).sub(gp.mul(0.01)));
        }
        return List.of(fwd, u.build());
    }

    static Tensor block(GraphBuilder f, String at, Tensor x, List<Tensor> params) {
        Tensor h = ln(f, at + "norm1", x, params);
        Tensor q = linear(f, at + "q", h, D, D, params), k = linear(f, at + "k", h, D, D, params), v = linear(f, at + "v", h, D, D, params);
        q = q.reshape(B, S, H, D / H).permute(0, 2, 1, 3);
        k = k.reshape(B, S, H, D / H).permute(0, 2, 1, 3);
        v = v.reshape(B, S, H, D / H).permute(0, 2, 1, 3);
        Tensor w = q.matmul(k.mT()).mul(1 / Math.sqrt(D / H)).softmax(-1);
        Tensor o = w.matmul(v).permute(0, 2, 1, 3).reshape(B, S, D);
        Tensor x1 = x.add(linear(f, at + "out", o, D, D, params));
        Tensor h2 = ln(f, at + "norm2", x1, params);
        return x1.add(linear(f, at + "ff2", linear(f, at + "ff1", h2, D, FF, params).gelu(), FF, D, params));
    }

    static Tensor ln(GraphBuilder f, String name, Tensor x, List<Tensor> params) {
        Tensor w = f.parameter(name + ".weight", Init.ones(), D), b = f.parameter(name + ".bias", Init.zeros(), D);
        params.add(w);
        params.add(b);
        return x.layerNorm(1, w, b, 1e-5);
    }

    static Tensor linear(GraphBuilder f, String name, Tensor x, int in, int out, List<Tensor> params) {
        Tensor w = f.parameter(name + ".weight", Init.normal(0, 0.2), in, out), b = f.parameter(name + ".bias", Init.normal(0, 0.1), out);
        params.add(w);
        params.add(b);
        return x.matmul(w).add(b);
    }

    /** Kernels the plan dispatches with and without row gradients, counted from its fusion: a node that computes gives one kernel here. */
    static int kernels(Program p, Program.Binding b, Fusion f) {
        int k = 0;
        for (Node n : p.schedule()) {
            boolean leaf = n.op() instanceof Op.Input || n.op() instanceof Op.Parameter || n.op() instanceof Op.Constant || n.op() instanceof Op.Count;
            if (!leaf && !f.absorbed(n.id()) && !f.deferred(n.id()) && !Lowering.isView(n, b, p.graph())) k++;
        }
        return k;
    }

    record Row(int blocks, List<String> rows, int before, int after) {}

    static List<Row> rows() {
        String ln = "mul => layer_norm_grad -> add (1 externals)";
        return List.of(
                // the first block's norm1 reads the step's input, whose gradient nobody asked for: only norm2's backward is the
                // normalisation's gradient; layer norm backward: 7 kernels (g = dy*w, mean x, var, rsqrt, mean g, mean g*y,
                // combine + residual add) -> 1 (the row kernel computing g, the add its epilogue). The softmax's backward
                // takes no row kernel: its row sums come from the product P V (Autograd.attentionProduct), and what is left,
                // P (dP - D) and the scale, is the epilogue of the product that makes dP
                new Row(1, List.of(ln), 86, 80),
                // the second block's norm1 backward too
                new Row(2, List.of(ln, ln, ln), 177, 159));
    }

    @TestFactory
    Stream<DynamicTest> rowGradientsCutTheKernelsOfAStep() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.blocks() + " block(s)", () -> {
            List<Graph> graphs = step(row.blocks());
            Program p = Program.of(graphs);
            SplittableRandom r = new SplittableRandom(1);
            float[] xs = new float[B * S * D];
            for (int i = 0; i < xs.length; i++) xs[i] = (float) (r.nextDouble() * 2 - 1);
            Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(xs, B, S, D));
            Program.Binding binding = p.bind(feeds);
            Fusion with = Fusion.plan(p, binding, 64, true), without = Fusion.plan(p, binding, 64, false);
            List<String> rows = new ArrayList<>();
            for (Fusion.Group grp : new TreeMap<>(with.groups()).values()) if (grp.rows() != null) rows.add(Fusion.describe(grp, p.graph()));
            assertEquals(row.rows(), rows);
            int after = kernels(p, binding, with), before = kernels(p, binding, without);
            // one step on the device and on the reference: the same loss and updated parameters
            try (VulkanBackend gpu = Gpu.open(); ReferenceBackend ref = new ReferenceBackend()) {
                Parameters gp = gpu.newParameters(3), rp = ref.newParameters(3);
                double gl, rl;
                try (Executable e = gpu.compile(gp, graphs)) {
                    gl = e.run(feeds).scalar("loss");
                    // a long reduction over few outputs (the loss's mean) runs in two passes (Lowering.reduceSplits)
                    int splitPasses = 0;
                    Lowering lowering = new Lowering(gpu.device, null);
                    for (Node n : p.schedule()) {
                        if (n.op() instanceof Op.Reduce red && !with.absorbed(n.id()) && red.axes().size() > 0
                                && lowering.reduceSplits(n, red, binding.shape(n.input(0)).dims()) > 1) splitPasses++;
                    }
                    // the plan also reads the transposed operands in place (no permute kernel each): the weight gradients'
                    // x^T (A), attention's k^T (B) and its gradient's v^T (B), the backward's (k^T)^T (k itself, a view); and the
                    // key gradient's (q^T dS)^T is computed as dS^T q; and the heads' permutes are stored by the products under
                    // them (Fusion.permutedResult): q, k and v split into heads, the attention's output merged, and backward the
                    // output's gradient split, the gradients of q, k and v merged, 7 a block
                    Fusion plan = Fusion.plan(p, binding, 64, true, n -> lowering.readsTransposed(n, binding, p.graph()), lowering::storesPermuted);
                    assertEquals(7L * row.blocks(), p.schedule().stream().filter(n -> plan.permutedResult(n.id()) != null).count(),
                            "the heads' permutes stored by their products");
                    assertTrue(p.schedule().stream().anyMatch(n -> plan.transposedA(n.id())), "weight gradients read a transposed A");
                    assertTrue(p.schedule().stream().anyMatch(n -> plan.transposedB(n.id())), "attention's scores read a transposed B");
                    assertTrue(p.schedule().stream().anyMatch(n -> plan.transposedResult(n.id()) >= 0), "the key gradient is computed transposed");
                    assertTrue(kernels(p, binding, plan) < after, "fewer kernels than with the permutes");
                    assertEquals(kernels(p, binding, plan) + splitPasses, ((VulkanExecutable) e).lastPlanDispatches(),
                            "the count matches the dispatches the plan records");
                }
                try (Executable e = ref.compile(rp, graphs)) {
                    rl = e.run(feeds).scalar("loss");
                }
                assertEquals(rl, gl, 1e-4 * (1 + Math.abs(rl)), "loss");
                for (String n : rp.names()) Gpu.assertClose("parameter " + n, rp.get(n), gp.get(n), 1e-4);
            }
            assertEquals(row.before(), before, "kernels of a step of " + row.blocks() + " block(s) without row gradients");
            assertEquals(row.after(), after, "kernels of a step of " + row.blocks() + " block(s) with row gradients (" + row.before() + " without)");
        }));
    }
}
