package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * Assigned values written straight into their parameters ({@link ExecutionPlan}'s in-place rule) as a table: each row a
 * graph with assignments and how many of them the plan writes in place; each runs three times on the Vulkan backend
 * against the reference interpreter (outputs after every run, parameters after the last), so a value written in place
 * too early (a later reader of the old parameter) shows as a wrong number, not only as a wrong count.
 */
@Tag("gpu")
class InPlaceAssignmentTest {
    record Row(String name, Consumer<GraphBuilder> build, int inPlace) {}

    static List<Row> rows() {
        return List.of(
                new Row("an elementwise update, nothing reading the parameter after it", g -> {
                    Tensor p = g.parameter("p", new Init.Constant(0.5), 6, 5);
                    Tensor x = g.input("x", DType.F32, 6, 5);
                    g.output("y", p.mul(x).sum());
                    g.assign(p, p.sub(x.mul(0.1)));
                }, 1),
                new Row("AdamW-like: both moments and the parameter, the moments read by the parameter's update", g -> {
                    Tensor p = g.parameter("p", new Init.Constant(0.25), 40), m = g.parameter("m", Init.zeros(), 40);
                    Tensor v = g.parameter("v", Init.zeros(), 40);
                    Tensor grad = g.input("g", DType.F32, 40);
                    g.output("loss", p.mul(grad).sum());  // built first, so scheduled before the updates
                    Tensor m1 = m.add(grad.sub(m).mul(0.1));
                    Tensor v1 = v.mul(0.999).add(grad.mul(grad).mul(0.001));
                    g.assign(m, m1);
                    g.assign(v, v1);
                    g.assign(p, p.mul(0.99).sub(m1.div(v1.sqrt().add(1e-8)).mul(1e-3)));
                }, 3),
                new Row("the same update with the parameter read after it (built later): that one is copied", g -> {
                    Tensor p = g.parameter("p", new Init.Constant(0.25), 40), m = g.parameter("m", Init.zeros(), 40);
                    Tensor grad = g.input("g", DType.F32, 40);
                    Tensor m1 = m.add(grad.sub(m).mul(0.1));
                    g.assign(m, m1);
                    g.assign(p, p.sub(m1.mul(1e-3)));
                    g.output("loss", p.mul(grad).sum());
                }, 1),
                new Row("a parameter read after its update keeps the copy", g -> {
                    Tensor p = g.parameter("p", new Init.Constant(2), 7);
                    Tensor x = g.input("x", DType.F32, 7);
                    Tensor p1 = p.add(x);
                    g.assign(p, p1);
                    g.output("y", p1.mul(p).sum());  // reads the old p after p1 is computed
                }, 0),
                new Row("views of the value (a reshape read by a later op, a reshape as an output) read the parameter's range", g -> {
                    Tensor p = g.parameter("p", new Init.Constant(0.5), 4, 6);
                    Tensor x = g.input("x", DType.F32, 4, 6);
                    g.output("y", p.mul(x).sum());
                    Tensor p1 = p.sub(x.mul(0.25));
                    g.assign(p, p1);
                    g.output("flat", p1.reshape(24));
                    g.output("rows", p1.reshape(6, 4).exp().sum(1));
                }, 1),
                new Row("an output that is the parameter itself wants the old value: copied", g -> {
                    Tensor w = g.parameter("w", new Init.Constant(1), 2, 2);
                    g.output("w", w);
                    g.output("wr", w.reshape(4));
                    g.assign(w, w.add(1));
                }, 0),
                new Row("an assigned value that is also an output keeps the copy", g -> {
                    Tensor p = g.parameter("p", new Init.Constant(1), 9);
                    Tensor p1 = p.mul(1.5);
                    g.assign(p, p1);
                    g.output("p1", p1);
                }, 0),
                new Row("a product is not elementwise: its result is copied", g -> {
                    Tensor w = g.parameter("w", new Init.Constant(0.125), 8, 8);
                    Tensor x = g.input("x", DType.F32, 8, 8);
                    g.assign(w, x.matmul(w));
                    g.output("s", x.sum());
                }, 0),
                new Row("a counter: a scalar parameter plus one", g -> {
                    Tensor t = g.parameter("t", Init.zeros());
                    Tensor x = g.input("x", DType.F32, 3);
                    g.output("y", x.mul(t).sum());
                    g.assign(t, t.add(1));
                }, 1));
    }

    private static VulkanBackend gpu;

    @BeforeAll
    static void open() {
        gpu = Gpu.open();
    }

    @AfterAll
    static void close() {
        if (gpu != null) gpu.close();
    }

    @TestFactory
    Stream<DynamicTest> table() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            GraphBuilder gb = new GraphBuilder();
            row.build().accept(gb);
            Graph g = gb.build();
            Map<String, HostTensor> feeds = FusionTest.feeds(Program.of(List.of(g)));
            try (ReferenceBackend ref = new ReferenceBackend()) {
                Parameters rp = ref.newParameters(1), vp = gpu.newParameters(1);
                try (var re = ref.compile(rp, g); var ve = gpu.compile(vp, g)) {
                    for (int run = 0; run < 3; run++) {
                        var want = re.run(feeds);
                        var got = ve.run(feeds);
                        for (String n : want.names()) Gpu.assertClose(row.name() + ", run " + run + ": " + n, want.get(n), got.get(n), 1e-5);
                    }
                    assertEquals(row.inPlace(), ((VulkanExecutable) ve).lastPlanAssignedInPlace(), "assigned in place: " + row.name());
                }
                for (String n : rp.names()) Gpu.assertClose(row.name() + ": parameter " + n, rp.get(n), vp.get(n), 1e-5);
            }
        }));
    }
}
