package dev.jasg.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Autocast;
import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Gradients through {@link Autocast}: the master weights get F32 gradients, close to the F32
 * graph's (within the half type's precision), and the transposed products run in half.
 */
class AutocastGradientTest {
    private static Graph model() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2, 2, 5, 5);
        Tensor k = g.parameter("conv.weight", Shape.of(3, 2, 3, 3), DType.F32, Init.normal(0, 0.3), true);
        Tensor w = g.parameter("fc.weight", Shape.of(3 * 25, 4), DType.F32, Init.normal(0, 0.2), true);
        Tensor b = g.parameter("fc.bias", Shape.of(4), DType.F32, Init.normal(0, 0.2), true);
        Tensor h = x.conv2d(k, ConvGeometry.of(1, 1, 1, 1)).tanh().reshape(2, 75);
        Tensor y = h.matmul(w).add(b).logSoftmax(1);
        g.output("loss", y.mul(-1).mean());
        return g.build();
    }

    @Test
    void masterWeightsGetF32GradientsCloseToTheF32Ones() {
        float[] xv = new float[100];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < xv.length; i++) xv[i] = (float) (r.nextDouble() * 2 - 1);
        Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(xv, 2, 2, 5, 5));
        List<String> wrt = List.of("conv.weight", "fc.weight", "fc.bias");
        Map<String, HostTensor> exact = grads(model(), feeds, wrt);
        for (DType half : new DType[] {DType.F16, DType.BF16}) {
            Graph g = Autocast.apply(model(), half);
            Graph grad = Autograd.gradients(g, "loss", wrt);
            for (String name : wrt) assertEquals(DType.F32, grad.output("grad:" + name).dtype(), half + " grad:" + name);
            // the backward products read half operands too (torch.autocast's backward does the same)
            long halfProducts = grad.nodes().stream().filter(n -> isProduct(n.op()) && grad.node(n.input(0)).dtype() == half).count();
            assertTrue(halfProducts >= 3, half + ": " + halfProducts + " backward products in half");
            Map<String, HostTensor> mixed = grads(g, feeds, wrt);
            double tol = half == DType.F16 ? 5e-3 : 4e-2;
            for (String name : wrt) {
                double[] a = exact.get(name).toDoubles(), m = mixed.get(name).toDoubles();
                double scale = 0, err = 0;
                for (int i = 0; i < a.length; i++) {
                    scale = Math.max(scale, Math.abs(a[i]));
                    err = Math.max(err, Math.abs(a[i] - m[i]));
                }
                assertTrue(err <= tol * scale, half + " grad:" + name + " differs by " + err + " at scale " + scale);
                assertTrue(err > 0, half + " grad:" + name + " should differ from f32 somewhere");
            }
        }
    }

    private static boolean isProduct(Op op) {
        return op instanceof Op.MatMul || op instanceof Op.Conv2d || op instanceof Op.ConvTranspose2d || op instanceof Op.Conv2dWeightGrad;
    }

    private static Map<String, HostTensor> grads(Graph g, Map<String, HostTensor> feeds, List<String> wrt) {
        try (ReferenceBackend ref = new ReferenceBackend()) {
            Parameters p = ref.newParameters(9);
            try (Executable e = ref.compile(p, g, Autograd.gradients(g, "loss", wrt))) {
                Outputs o = e.run(feeds);
                return Map.of(wrt.get(0), o.get("grad:" + wrt.get(0)), wrt.get(1), o.get("grad:" + wrt.get(1)), wrt.get(2), o.get("grad:" + wrt.get(2)));
            }
        }
    }
}
