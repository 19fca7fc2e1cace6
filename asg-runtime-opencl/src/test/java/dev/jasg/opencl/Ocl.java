package dev.jasg.opencl;

import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.HostTensor;
import org.junit.jupiter.api.Assumptions;

/**
 * Opens the OpenCL backend for tests. Without an OpenCL device the test is skipped with the reason, unless
 * {@code JASG_REQUIRE_OPENCL=1} (system property or environment), as on CI, where a missing device fails it.
 */
final class Ocl {
    private Ocl() {}

    static boolean required() {
        String p = System.getProperty("JASG_REQUIRE_OPENCL", System.getenv("JASG_REQUIRE_OPENCL"));
        return p != null && (p.equals("1") || p.equalsIgnoreCase("true"));
    }

    static OpenClBackend open() {
        try {
            return new OpenClBackend();
        } catch (BackendUnavailableException e) {
            if (required()) throw new AssertionError("JASG_REQUIRE_OPENCL is set but the OpenCL backend cannot start: " + e.getMessage(), e);
            Assumptions.abort("no OpenCL device, skipping (set JASG_REQUIRE_OPENCL=1 to fail instead): " + e.getMessage());
            throw e;
        }
    }

    /** Asserts that {@code got} matches {@code want} within {@code tol * (|w| + max(1, max|want|))}. */
    static void assertClose(String what, HostTensor want, HostTensor got, double tol) {
        if (!want.shape().equals(got.shape())) throw new AssertionError(what + ": shape " + got.shape() + ", expected " + want.shape());
        double scale = 1;
        for (int i = 0; i < want.size(); i++) if (!Double.isInfinite(want.get(i))) scale = Math.max(scale, Math.abs(want.get(i)));
        for (int i = 0; i < want.size(); i++) {
            double w = want.get(i), g = got.get(i);
            boolean same = (Double.isNaN(w) && Double.isNaN(g)) || w == g || Math.abs(w - g) <= tol * (Math.abs(w) + scale);
            if (!same) throw new AssertionError(String.format("%s: element %d = %.9g, expected %.9g (shape %s)", what, i, g, w, want.shape()));
        }
    }
}
