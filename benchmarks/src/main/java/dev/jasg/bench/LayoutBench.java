package dev.jasg.bench;

import dev.jasg.viewer.graph.GraphModel;
import dev.jasg.viewer.graph.SampleGraphs;

import java.util.Arrays;
import java.util.Locale;

/**
 * Measures the viewer's layout of a large graph ({@link SampleGraphs}): forward and gradient views of a stack of
 * transformer encoder blocks, laid out fully expanded with edge labels.
 *
 * <pre>mvn -q -pl benchmarks -am package -DskipTests &amp;&amp; java -cp benchmarks/target/benchmarks.jar dev.jasg.bench.LayoutBench 6 3</pre>
 *
 * Arguments: blocks (default 6) and repetitions (default 3); it prints the CPU model, the box and edge counts and
 * the median time.
 */
public final class LayoutBench {
    private LayoutBench() {}

    /** Prints the layout times of the forward and the gradient view. */
    public static void main(String[] args) {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf(Locale.ROOT, "# cpu=\"%s\" cpus=%d java=%s%n", Machine.cpuModel(), Runtime.getRuntime().availableProcessors(), Runtime.version());
        for (GraphModel.Mode mode : GraphModel.Mode.values()) {
            GraphModel m = SampleGraphs.model(blocks, mode);
            long[] t = new long[reps];
            SampleGraphs.Result r = null;
            for (int i = 0; i < reps; i++) {
                r = SampleGraphs.measure(m);
                t[i] = r.millis();
            }
            long first = t[0];
            Arrays.sort(t);
            System.out.printf(Locale.ROOT, "%-8s %d blocks: %5d boxes %5d edges, layout median %d ms, first (cold JIT) %d ms, over %d runs%n",
                    mode.name().toLowerCase(Locale.ROOT), blocks, r.boxes(), r.edges(), t[reps / 2], first, reps);
        }
    }
}
