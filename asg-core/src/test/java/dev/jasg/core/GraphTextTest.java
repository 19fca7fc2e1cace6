package dev.jasg.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Golden tests of {@link Graph#toText()}: the listing is a debugging tool, so its form must stay stable. */
class GraphTextTest {

    private static Graph twoLayers() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 4);
        Tensor h;
        try (var s = g.scope("fc1")) {
            Tensor w = g.parameter("weight", Init.normal(0, 0.1), 4, 3);
            Tensor b = g.parameter("bias", Init.zeros(), 3);
            h = x.matmul(w).add(b).relu();
        }
        Tensor y;
        try (var s = g.scope("fc2")) {
            Tensor w = g.parameter("weight", Init.uniform(-0.5, 0.5), 3, 2);
            y = h.matmul(w);
        }
        g.output("logits", y);
        g.output("pred", y.argmax(1));
        return g.build();
    }

    @Test
    void twoLayerGraph() {
        String want = """
                %0 = input('x') : f32[B,4]
                %1 = parameter('fc1.weight' init=Normal[mean=0.0, std=0.1]) : f32[4,3]  @fc1
                %2 = parameter('fc1.bias' init=Zeros[]) : f32[3]  @fc1
                %3 = matmul(%0, %1) : f32[B,3]  @fc1
                %4 = add(%3, %2) : f32[B,3]  @fc1
                %5 = relu(%4) : f32[B,3]  @fc1
                %6 = parameter('fc2.weight' init=Uniform[low=-0.5, high=0.5]) : f32[3,2]  @fc2
                %7 = matmul(%5, %6) : f32[B,2]  @fc2
                %8 = argmax(%7; axis=1) : i32[B]
                output logits = %7
                output pred = %8
                """;
        assertEquals(want, twoLayers().toText());
    }

    @Test
    void continuedGraphListsOnlyItsOwnNodes() {
        Graph f = twoLayers();
        GraphBuilder u = new GraphBuilder(f);
        Tensor loss = u.tensor(f.output("logits").id()).logSoftmax(-1).mean();
        Tensor w2 = u.tensor(f.parameters().get("fc2.weight").id());
        u.assign(w2, w2.mul(0.5));
        u.output("loss", loss);
        Graph g = u.build();
        String want = """
                # continues a graph of 9 nodes
                %9 = log_softmax(%7; axis=1) : f32[B,2]
                %10 = mean(%9; axes=[0,1]) : f32[]
                %11 = constant(0.5) : f32[]
                %12 = mul(%6, %11) : f32[3,2]
                output loss = %10
                assign fc2.weight := %12
                """;
        assertEquals(want, g.toText());
        assertEquals(13, g.size());
        assertEquals(9, g.base());
    }
}
