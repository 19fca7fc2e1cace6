package dev.jasg.core.reference;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendException;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.HostParameters;
import dev.jasg.core.Node;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The oracle backend ({@code "reference"}): it interprets a {@link Program} node by node in
 * double precision with naive loops, F32 nodes included (nothing is rounded to float), so
 * other backends and the gradient checker can be compared against it. Parameters live in
 * a {@link HostParameters} store of doubles.
 *
 * <pre>{@code
 * try (Backend ref = new ReferenceBackend(); Executable e = ref.compile(graph)) {
 *     double loss = e.run(Map.of("x", x)).scalar("loss");
 * }
 * }</pre>
 */
public final class ReferenceBackend implements Backend {
    /** The name users select it by. */
    public static final String NAME = "reference";

    private final Set<HostParameters> stores = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<ReferenceExecutable> executables = new ArrayList<>();
    private boolean closed;

    /** A new reference backend; it holds nothing but the stores and executables it makes. */
    public ReferenceBackend() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized Parameters newParameters(long seed) {
        checkOpen();
        HostParameters p = new HostParameters(seed, DType.F64);
        stores.add(p);
        return p;
    }

    @Override
    public synchronized Executable compile(Parameters parameters, List<Graph> graphs) {
        checkOpen();
        if (!(parameters instanceof HostParameters hp) || !stores.contains(hp)) {
            throw new BackendException("reference: the parameter store " + (parameters == null ? "null" : parameters.getClass().getName())
                    + " was not made by this reference backend; use newParameters(seed) of the backend that compiles");
        }
        Program program = Program.of(graphs);
        for (Node n : program.parameters()) hp.ensure(n);
        ReferenceExecutable e = new ReferenceExecutable(program, hp);
        executables.add(e);
        return e;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (ReferenceExecutable e : executables) e.close();
        executables.clear();
        stores.clear();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("reference backend is closed");
    }

    @Override
    public String toString() {
        return "ReferenceBackend" + (closed ? "(closed)" : "");
    }
}
