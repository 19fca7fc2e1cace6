package dev.jasg.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the kernels written on the Java Vector API ({@link VectorGemmKernel}, {@link VectorMath})
 * may be used: only when the {@code jdk.incubator.vector} module is in the boot layer
 * ({@code java --add-modules jdk.incubator.vector}). Without it those classes are never loaded,
 * the scalar kernels run, and one line is logged saying so. {@code -Djasg.cpu.vector=false}
 * forces the scalar kernels.
 */
final class Simd {
    private static final Logger LOG = LoggerFactory.getLogger(Simd.class);

    /** True when the Vector API kernels are used. */
    static final boolean ENABLED = detect();

    private Simd() {}

    private static boolean detect() {
        if (!Boolean.parseBoolean(System.getProperty("jasg.cpu.vector", "true"))) {
            LOG.info("jasg cpu: -Djasg.cpu.vector=false; using the scalar kernels");
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.info("jasg cpu: module jdk.incubator.vector is not enabled (java --add-modules jdk.incubator.vector); using the slower scalar kernels");
            return false;
        }
        try {
            LOG.debug("jasg cpu: Vector API kernels, matmul {}", VectorGemmKernel.describe());
            return true;
        } catch (LinkageError e) {
            LOG.info("jasg cpu: the Vector API kernels failed to load ({}); using the scalar kernels", e.toString());
            return false;
        }
    }
}
