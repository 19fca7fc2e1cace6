package dev.jasg.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.reference.ReferenceBackend;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers shared by the core tests: run a builder's graph on the reference backend and compare values. */
final class RefTesting {
    private RefTesting() {}

    /** Builds {@code g}, runs it once on a fresh reference backend with {@code feeds} (name, tensor pairs). */
    static Outputs run(GraphBuilder g, Object... feeds) {
        try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(g.build())) {
            return e.run(feeds(feeds));
        }
    }

    /** A feed map from alternating names and tensors. */
    static Map<String, HostTensor> feeds(Object... pairs) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put((String) pairs[i], (HostTensor) pairs[i + 1]);
        return m;
    }

    /** An F64 tensor of {@code dims} holding {@code values}. */
    static HostTensor f64(double[] values, int... dims) {
        return HostTensor.ofDoubles(values, dims);
    }

    /** {@code 0, 1, ..., n-1} as an F64 tensor of {@code dims}. */
    static HostTensor arange(int... dims) {
        double[] v = new double[Indexing.size(dims)];
        for (int i = 0; i < v.length; i++) v[i] = i;
        return HostTensor.ofDoubles(v, dims);
    }

    /** Asserts shape and every element within {@code tol}. */
    static void assertTensor(HostTensor actual, Shape shape, double tol, double... expected) {
        assertEquals(shape, actual.shape(), "shape");
        double[] got = actual.toDoubles();
        assertEquals(expected.length, got.length, "element count");
        for (int i = 0; i < got.length; i++) {
            if (Double.isNaN(expected[i]) ? !Double.isNaN(got[i]) : Math.abs(got[i] - expected[i]) > tol) {
                throw new AssertionError("element " + i + ": expected " + expected[i] + " but got " + got[i]
                        + "\nexpected " + Arrays.toString(expected) + "\n     got " + Arrays.toString(got));
            }
        }
    }

    /** Asserts shape and every element exactly. */
    static void assertExact(HostTensor actual, Shape shape, double... expected) {
        assertTensor(actual, shape, 0, expected);
    }
}
