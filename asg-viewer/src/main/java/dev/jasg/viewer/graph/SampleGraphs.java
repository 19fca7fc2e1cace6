package dev.jasg.viewer.graph;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Tensor;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.attention.TransformerEncoderBlock;
import dev.jasg.nn.loss.Losses;

import java.util.Set;

/**
 * A large sample graph for layout tests and the layout benchmark ({@code dev.jasg.bench.LayoutBench} in the
 * {@code benchmarks} module): the forward and gradient graphs of a stack of transformer encoder blocks (2,000+
 * boxes in the gradient view with six blocks), and one fully expanded layout of it, as the viewer does.
 *
 * <p>Stateless and thread-safe; it prints nothing.
 */
public final class SampleGraphs {
    private SampleGraphs() {}

    /**
     * One measurement.
     *
     * @param boxes  boxes laid out
     * @param edges  edges routed
     * @param millis layout time
     */
    public record Result(int boxes, int edges, long millis) {}

    /** A stack of {@code blocks} pre-LN encoder blocks (d 32, 4 heads) with a linear head, and its gradients. */
    public static GraphModel model(int blocks, GraphModel.Mode mode) {
        Layer net = new Layer() {
            private final Linear embed = register("embed", new Linear(16, 32));
            private final TransformerEncoderBlock[] stack = new TransformerEncoderBlock[blocks];
            private final LayerNorm norm;
            private final Linear head;

            {
                for (int i = 0; i < blocks; i++) stack[i] = register("block" + i, new TransformerEncoderBlock(32, 4, 64, 0, "gelu", 1e-5, true, true));
                norm = register("norm", new LayerNorm(32));
                head = register("head", new Linear(32, 10));
            }

            @Override
            public Tensor forward(Tensor x) {
                Tensor h = embed.apply(x);
                for (TransformerEncoderBlock b : stack) h = b.apply(h);
                return head.apply(norm.apply(h).mean(1));
            }
        };
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 8, 16);
        Tensor y = g.input("y", DType.I32, "B");
        Tensor loss = Losses.crossEntropy(net.apply(x), y);
        g.output("loss", loss);
        Graph forward = g.build();
        int[] wrt = forward.parameters().values().stream().filter(n -> ((Op.Parameter) n.op()).trainable()).mapToInt(Node::id).toArray();
        Graph grads = Autograd.gradients(forward, loss.id(), wrt);
        return GraphModel.of(forward, grads, mode);
    }

    /** Lays out {@code model} fully expanded once. */
    public static Result measure(GraphModel model) {
        LayoutResult r = new GraphLayout().layout(model, Set.of());
        return new Result(r.boxes().size(), r.edges().size(), r.millis());
    }
}
