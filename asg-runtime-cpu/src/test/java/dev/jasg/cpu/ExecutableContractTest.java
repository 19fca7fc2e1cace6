package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Tensor;
import dev.jasg.testkit.ExecutableContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every backend's {@code Executable} keeps, on the cpu backend and the reference
 * interpreter: runs from several threads are serialised and each run's outputs are its own, and a
 * chain of graphs compiles the same whatever the order it is given in.
 */
class ExecutableContractTest {
    /**
     * Two threads run one executable ({@code y = 2x}) with feeds that encode the thread and the
     * iteration, and read each run's output right after it: every value read must be that run's, or
     * the read must fail with {@link IllegalStateException} because the other thread ran in between.
     * Before outputs were copied under the run's lock, thousands of 40,000 cpu reads were another
     * run's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void concurrentRunsReadTheirOwnOutputs(String backend) throws Exception {
        try (Backend b = Backends.create(backend)) {
            ExecutableContract.concurrentRunsReadTheirOwnOutputs(b, 2, backend.equals("cpu") ? 20_000 : 2_000, 1 << 14);
        }
    }

    /** A forward graph, a continuation that only adds an output, and one that adds a node. */
    private record Chain(Graph forward, Graph extended, Graph deeper) {
        static Chain make() {
            GraphBuilder fb = new GraphBuilder();
            Tensor x = fb.input("x", DType.F32, 3);
            Tensor y = x.mul(2);
            fb.output("y", y);
            Graph forward = fb.build();
            // continues the chain with no node of its own: same size as its parent
            GraphBuilder eb = new GraphBuilder(forward);
            eb.output("x2", eb.tensor(y.id()));
            Graph extended = eb.build();
            GraphBuilder db = new GraphBuilder(extended);
            db.output("x3", db.tensor(y.id()).add(1));
            return new Chain(forward, extended, db.build());
        }

        Graph pick(char c) {
            return switch (c) {
                case 'f' -> forward;
                case 'e' -> extended;
                case 'd' -> deeper;
                default -> throw new IllegalArgumentException("no graph '" + c + "'");
            };
        }
    }

    static Stream<Arguments> chainOrders() {
        List<Arguments> rows = new ArrayList<>();
        // graphs by letter (f forward, e continues f with an output only, d continues e), and the outputs expected
        String[][] table = {
            {"fe", "y x2"}, {"ef", "y x2"},
            {"fed", "y x2 x3"}, {"fde", "y x2 x3"}, {"efd", "y x2 x3"}, {"edf", "y x2 x3"}, {"dfe", "y x2 x3"}, {"def", "y x2 x3"},
            {"e", "x2"}, {"fd", "y x3"}, {"df", "y x3"}, {"ed", "x2 x3"}, {"de", "x2 x3"},
        };
        for (String backend : List.of("cpu", "reference")) {
            for (String[] row : table) rows.add(Arguments.of(backend, row[0], row[1]));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}: compile({1})")
    @MethodSource("chainOrders")
    void aChainCompilesInAnyOrder(String backend, String order, String outputs) {
        Chain c = Chain.make();
        Graph[] graphs = order.chars().mapToObj(ch -> c.pick((char) ch)).toArray(Graph[]::new);
        try (Backend b = Backends.create(backend); Executable exe = b.compile(graphs)) {
            Outputs out = exe.run(Map.of("x", HostTensor.of(new float[] {1, 2, 3}, 3)));
            assertEquals(Set.of(outputs.split(" ")), out.names());
            for (String name : outputs.split(" ")) {
                double add = name.equals("x3") ? 1 : 0;
                HostTensor v = out.get(name);
                for (int i = 0; i < 3; i++) assertEquals(2 * (i + 1) + add, v.get(i), 0, name + "[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void graphsNotOnOneChainAreRefused(String backend) {
        Chain c = Chain.make();
        // a sibling of 'extended': both continue 'forward', neither continues the other
        GraphBuilder sb = new GraphBuilder(c.forward());
        sb.output("s", sb.tensor(0).neg());
        Graph sibling = sb.build();
        GraphBuilder ob = new GraphBuilder();
        ob.output("z", ob.input("z", DType.F32, 1).neg());
        Graph other = ob.build();
        try (Backend b = Backends.create(backend)) {
            for (Graph[] bad : List.of(new Graph[] {c.extended(), sibling}, new Graph[] {sibling, c.deeper()}, new Graph[] {c.forward(), other})) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.compile(bad));
                assertTrue(e.getMessage().contains("not one chain"), e.getMessage());
            }
        }
    }
    /** Feeds are checked on every run, also when the cpu backend reuses the last plan without binding them. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void feedsAreCheckedOnEveryRun(String backend) {
        try (Backend b = Backends.create(backend)) {
            ExecutableContract.feedsAreCheckedOnEveryRun(b);
        }
    }

    /**
     * {@link Outputs#copyInto} gives exactly what {@code get(name).floats()} gives (f32, bf16 and i32 outputs), on the cpu
     * backend without allocating the output's size; a short array, an unknown name and a stale read are refused
     * ({@link ExecutableContract#copyIntoReadsWhatGetReads}).
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void copyIntoReadsWhatGetReads(String backend) {
        try (Backend b = Backends.create(backend)) {
            ExecutableContract.copyIntoReadsWhatGetReads(b, backend.equals("cpu"));
        }
    }
}
