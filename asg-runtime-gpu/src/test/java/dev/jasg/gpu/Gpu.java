package dev.jasg.gpu;

import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.HostTensor;
import org.junit.jupiter.api.Assumptions;

/**
 * Opens the Vulkan backend for tests. Without a device the test is skipped with the
 * reason, unless {@code JASG_REQUIRE_GPU=1} (system property or environment), as on CI,
 * where a missing device fails it.
 */
final class Gpu {
    private Gpu() {}

    /**
     * Each of {@code bad} set as {@code property} makes {@code read} throw an {@link IllegalArgumentException} whose message
     * names the property and the value; the property is cleared after each.
     */
    static void refusedByName(String property, java.util.List<String> bad, org.junit.jupiter.api.function.Executable read) {
        for (String value : bad) {
            System.setProperty(property, value);
            try {
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, read, value);
                org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(property) && e.getMessage().contains(value), e.getMessage());
            } finally {
                System.clearProperty(property);
            }
        }
    }

    static boolean required() {
        String p = System.getProperty("JASG_REQUIRE_GPU", System.getenv("JASG_REQUIRE_GPU"));
        return p != null && (p.equals("1") || p.equalsIgnoreCase("true"));
    }

    static VulkanBackend open() {
        try {
            return new VulkanBackend();
        } catch (BackendUnavailableException e) {
            if (required()) throw new AssertionError("JASG_REQUIRE_GPU is set but the Vulkan backend cannot start: " + e.getMessage(), e);
            Assumptions.abort("no Vulkan device, skipping (set JASG_REQUIRE_GPU=1 to fail instead): " + e.getMessage());
            throw e;
        }
    }

    /** As {@link #open}, the device told it has {@code units} compute units (0: as if it did not say; schedules then count workgroups). */
    static VulkanBackend openWithUnits(int units) {
        System.setProperty(VulkanDevice.COMPUTE_UNITS_PROPERTY, Integer.toString(units));
        try {
            return open();
        } finally {
            System.clearProperty(VulkanDevice.COMPUTE_UNITS_PROPERTY);
        }
    }

    /** Asserts that {@code got} matches {@code want} within {@code tol * (|w| + max(1, max|want|))}. */
    static void assertClose(String what, HostTensor want, HostTensor got, double tol) {
        dev.jasg.testkit.SmallOpCases.assertClose(what, want, got, tol);
    }

    /** The graph {@code c = build(x, y)} of F32 inputs {@code x} and {@code y} of dims {@code xd} and {@code yd}. */
    static dev.jasg.core.Graph product(int[] xd, int[] yd, java.util.function.BinaryOperator<dev.jasg.core.Tensor> build) {
        dev.jasg.core.GraphBuilder b = new dev.jasg.core.GraphBuilder();
        dev.jasg.core.Tensor x = b.input("x", dev.jasg.core.DType.F32, dev.jasg.core.Shape.of(xd));
        dev.jasg.core.Tensor y = b.input("y", dev.jasg.core.DType.F32, dev.jasg.core.Shape.of(yd));
        b.output("c", build.apply(x, y));
        return b.build();
    }

    /** {@code graph}'s output {@code "c"} on {@code feeds}, computed by the reference interpreter. */
    static HostTensor reference(dev.jasg.core.Graph graph, java.util.Map<String, HostTensor> feeds) {
        try (dev.jasg.core.reference.ReferenceBackend ref = new dev.jasg.core.reference.ReferenceBackend();
             dev.jasg.core.Executable e = ref.compile(graph)) {
            return e.run(feeds).get("c");
        }
    }

    /**
     * Runs {@code graph} (output {@code "c"}) on {@code feeds} two ways and returns the names of the kernels the first way
     * made: first on a backend of its own, whose kernel names are then this run's only, then, after {@code between} (which
     * switches the choice under test off), on {@code shared}. Both results must match {@code want} within {@code tol} and
     * each other bit for bit.
     */
    static java.util.Set<String> sameBitsTwoWays(String what, dev.jasg.core.Graph graph, java.util.Map<String, HostTensor> feeds,
                                                 HostTensor want, VulkanBackend shared, Runnable between, double tol) {
        float[][] got = new float[2][];
        java.util.Set<String> kernels;
        try (VulkanBackend own = open()) {
            try (dev.jasg.core.Executable e = own.compile(graph)) {
                got[0] = e.run(feeds).get("c").floats();
            }
            kernels = java.util.Set.copyOf(own.kernelNames());
        }
        between.run();
        try (dev.jasg.core.Executable e = shared.compile(graph)) {
            got[1] = e.run(feeds).get("c").floats();
        }
        for (float[] g : got) assertClose(what, want, HostTensor.of(g, want.shape().dims()), tol);
        for (int i = 0; i < got[0].length; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(got[1][i]), Float.floatToRawIntBits(got[0][i]),
                    what + ": element " + i);
        }
        return kernels;
    }
}
