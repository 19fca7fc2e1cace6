package dev.jasg.nn.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Parameters;
import dev.jasg.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Assumptions;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Backends, random data and comparisons shared by the attention tests. */
final class AttentionHarness {
    static final ReferenceBackend REFERENCE = new ReferenceBackend();
    static final Backend CPU = Backends.create("cpu");
    static final List<Backend> BACKENDS = List.of(REFERENCE, CPU);

    private AttentionHarness() {}

    /** F32 values drawn from U(-1, 1). */
    static HostTensor random(Random rnd, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (2 * rnd.nextDouble() - 1);
        return HostTensor.of(v, dims);
    }

    /** Output {@code name} of {@code g} run once on {@code backend} over a store seeded with {@code seed}. */
    static HostTensor run(Backend backend, long seed, Graph g, String name, Map<String, HostTensor> feeds) {
        try (Executable e = backend.compile(backend.newParameters(seed), g)) {
            return e.run(feeds).get(name);
        }
    }

    /** Runs {@code g} over {@code store} and returns output {@code name}. */
    static HostTensor run(Backend backend, Parameters store, Graph g, String name, Map<String, HostTensor> feeds) {
        try (Executable e = backend.compile(store, g)) {
            return e.run(feeds).get(name);
        }
    }

    /** Element-wise closeness to {@code tol * max(1, |expected|)}. */
    static void assertClose(String what, double[] expected, double[] got, double tol) {
        assertEquals(expected.length, got.length, what + ": length");
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + expected[i]
                        + "\n got      " + Arrays.toString(got) + "\n expected " + Arrays.toString(expected));
            }
        }
    }

    /** The Vulkan backend, or a skipped test when there is none (a failure when JASG_REQUIRE_GPU=1). */
    static Backend vulkan() {
        try {
            return Backends.create("vulkan");
        } catch (BackendUnavailableException e) {
            String req = System.getProperty("JASG_REQUIRE_GPU", System.getenv("JASG_REQUIRE_GPU"));
            if ("1".equals(req) || "true".equalsIgnoreCase(req)) throw new AssertionError("JASG_REQUIRE_GPU is set: " + e.getMessage(), e);
            Assumptions.abort("no Vulkan device, skipping (set JASG_REQUIRE_GPU=1 to fail instead): " + e.getMessage());
            throw e;
        }
    }

    /** Naive {@code softmax(q k^T * scale + bias) v} for one [L, E] matrix triple; {@code keep[i][j]} false masks. */
    static double[][] naiveAttention(double[][] q, double[][] k, double[][] v, boolean[][] keep, double[][] bias) {
        int lq = q.length, lk = k.length, ev = v[0].length;
        double scale = 1 / Math.sqrt(q[0].length);
        double[][] out = new double[lq][ev];
        for (int i = 0; i < lq; i++) {
            double[] s = new double[lk];
            double max = Double.NEGATIVE_INFINITY;
            boolean any = false;
            for (int j = 0; j < lk; j++) {
                if (keep != null && !keep[i][j]) continue;
                any = true;
                double dot = 0;
                for (int e = 0; e < q[0].length; e++) dot += q[i][e] * k[j][e];
                s[j] = dot * scale + (bias == null ? 0 : bias[i][j]);
                max = Math.max(max, s[j]);
            }
            if (!any) continue; // a row with nothing to attend is zero
            double sum = 0;
            for (int j = 0; j < lk; j++) {
                if (keep != null && !keep[i][j]) { s[j] = 0; continue; }
                s[j] = Math.exp(s[j] - max);
                sum += s[j];
            }
            for (int j = 0; j < lk; j++) for (int e = 0; e < ev; e++) out[i][e] += s[j] / sum * v[j][e];
        }
        return out;
    }

    /** Matrix {@code [rows, cols]} at flat offset {@code off} of {@code t}. */
    static double[][] matrix(HostTensor t, int off, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m[i][j] = t.get(off + i * cols + j);
        return m;
    }

    static double[] flat(double[][] m) {
        return Arrays.stream(m).flatMapToDouble(Arrays::stream).toArray();
    }
}
