package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import dev.jasg.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Exploration: the kernels of a pre-LN transformer block's training step. */
@Tag("gpu")
class TransformerStepPlanTest {
    static final int B = 2, S = 16, D = 32, H = 4, FF = 64;

    /** Forward graph of a pre-LN block (as TransformerEncoderBlock with normFirst), loss mean(y^2). */
    static List<Graph> step() {
        GraphBuilder f = new GraphBuilder();
        Tensor x = f.input("x", DType.F32, B, S, D);
        List<Tensor> params = new ArrayList<>();
        Tensor h = ln(f, "norm1", x, params);
        Tensor q = linear(f, "q", h, D, D, params), k = linear(f, "k", h, D, D, params), v = linear(f, "v", h, D, D, params);
        q = q.reshape(B, S, H, D / H).permute(0, 2, 1, 3);
        k = k.reshape(B, S, H, D / H).permute(0, 2, 1, 3);
        v = v.reshape(B, S, H, D / H).permute(0, 2, 1, 3);
        Tensor w = q.matmul(k.mT()).mul(1 / Math.sqrt(D / H)).softmax(-1);
        Tensor o = w.matmul(v).permute(0, 2, 1, 3).reshape(B, S, D);
        Tensor x1 = x.add(linear(f, "out", o, D, D, params));
        Tensor h2 = ln(f, "norm2", x1, params);
        Tensor y = x1.add(linear(f, "ff2", linear(f, "ff1", h2, D, FF, params).gelu(), FF, D, params));
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

    @Test
    void explore() {
        List<Graph> graphs = step();
        Program p = Program.of(graphs);
        for (dev.jasg.core.Node n : p.schedule()) System.out.println(n.id() + " = " + n.op().label() + java.util.Arrays.toString(n.inputs()) + " " + n.shape() + " " + n.path());
        SplittableRandom r = new SplittableRandom(1);
        float[] xs = new float[B * S * D];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) (r.nextDouble() * 2 - 1);
        Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(xs, B, S, D));
        Fusion fu = Fusion.plan(p, p.bind(feeds), 64);
        for (Fusion.Group grp : new TreeMap<>(fu.groups()).values()) System.out.println(grp.root() + ": " + Fusion.describe(grp, p.graph()));
        try (VulkanBackend gpu = Gpu.open(); Executable e = gpu.compile(gpu.newParameters(3), graphs)) {
            e.run(feeds);
            System.out.println("dispatches " + ((VulkanExecutable) e).lastPlanDispatches());
        }
    }
}
