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
        dev.jasg.testkit.SmallOpCases.assertClose(what, want, got, tol);
    }
}
