package dev.jasg.opencl;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

/**
 * Issue 13 item 10: a run whose feeds are all empty (batch 0) gives the same empty results (and the same
 * reductions over nothing) on the OpenCL backend as on the reference; it used to throw
 * {@code NullPointerException: this.staging is null}.
 */
@Tag("opencl")
class EmptyBatchTest {
    private static Graph mlp() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 4);
        Tensor w = g.parameter("w", Shape.of(4, 3), DType.F32, Init.normal(0, 0.5), true);
        Tensor h = x.matmul(w).relu();
        g.output("h", h);
        g.output("probs", h.softmax(1));
        g.output("sum", h.sum());
        g.output("mean", h.mean());
        g.output("max_rows", h.max(1, false));
        return g.build();
    }

    @Test
    void anEmptyBatchGivesEmptyResultsAsOnTheReference() {
        Graph graph = mlp();
        Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(new float[0], 0, 4));
        try (Backend ref = new ReferenceBackend(); Backend ocl = Ocl.open();
             Executable re = ref.compile(graph); Executable ge = ocl.compile(graph)) {
            Outputs want = re.run(feeds), got = ge.run(feeds);
            for (String name : want.names()) Ocl.assertClose("batch 0, output " + name, want.get(name), got.get(name), 1e-6);
            // and the executable still runs a real batch afterwards
            HostTensor x = HostTensor.of(new float[] {1, 2, 3, 4, -1, 0, 1, 2}, 2, 4);
            ge.parameters().set("w", re.parameters().get("w"));
            Ocl.assertClose("batch 2 after batch 0", re.run(Map.of("x", x)).get("h"), ge.run(Map.of("x", x)).get("h"), 1e-5);
        }
    }
}
