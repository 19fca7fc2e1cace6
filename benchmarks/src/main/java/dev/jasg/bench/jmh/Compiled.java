package dev.jasg.bench.jmh;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import java.util.Map;
import java.util.SplittableRandom;

/** A graph compiled on the CPU backend with fixed random feeds: what every microbenchmark runs. */
final class Compiled implements AutoCloseable {
    private final Backend backend;
    private final Executable exe;
    private final Map<String, HostTensor> feeds;

    /** The chain {@code graphs} (a forward graph and the graphs continuing it) compiled as one step. */
    Compiled(Map<String, HostTensor> feeds, Graph... graphs) {
        this.backend = Backends.create(System.getProperty("jasg.bench.backend", "cpu"));
        this.exe = backend.compile(graphs);
        this.feeds = feeds;
        exe.run(feeds);
    }

    Compiled(Graph g, Map<String, HostTensor> feeds) {
        this(feeds, g);
    }

    /** Runs the graph once; the outputs stay on the backend (a run allocates nothing per node). */
    Object run() {
        return exe.run(feeds);
    }

    static HostTensor random(long seed, int... dims) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : dims) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return HostTensor.of(v, dims);
    }

    static int[] dims(String s) {
        String[] p = s.split("x");
        int[] d = new int[p.length];
        for (int i = 0; i < p.length; i++) d[i] = Integer.parseInt(p[i]);
        return d;
    }

    @Override
    public void close() {
        exe.close();
        backend.close();
    }
}
