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

import java.util.Locale;
import java.util.Set;

/**
 * Measures the layout of a large graph: the forward and gradient graphs of a stack of transformer
 * encoder blocks (2,000+ boxes in the gradient view with six blocks), laid out fully expanded with
 * edge labels, as the viewer does.
 *
 * <pre>mvn -q -pl asg-viewer exec:java -Dexec.mainClass=dev.jasg.viewer.graph.LayoutBenchmark -Dexec.args="6 3"</pre>
 *
 * Arguments: blocks (default 6) and repetitions (default 3); it prints the box and edge counts and
 * the median time.
 */
public final class LayoutBenchmark {
    private LayoutBenchmark() {}

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

    /** Prints the layout times of the forward and the gradient view. */
    public static void main(String[] args) {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (GraphModel.Mode mode : GraphModel.Mode.values()) {
            GraphModel m = model(blocks, mode);
            long[] t = new long[reps];
            Result r = null;
            for (int i = 0; i < reps; i++) {
                r = measure(m);
                t[i] = r.millis();
            }
            long first = t[0];
            java.util.Arrays.sort(t);
            System.out.printf(Locale.ROOT, "%-8s %d blocks: %5d boxes %5d edges, layout median %d ms, first (cold JIT) %d ms, over %d runs%n",
                    mode.name().toLowerCase(Locale.ROOT), blocks, r.boxes(), r.edges(), t[reps / 2], first, reps);
        }
    }
}
