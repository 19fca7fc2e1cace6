package dev.jasg.cpu;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

import java.io.PrintStream;
import java.util.ServiceLoader;

/**
 * Whether the kernels written on the Java Vector API ({@link VectorGemmKernel}, {@link VectorMath})
 * may be used: only when the {@code jdk.incubator.vector} module is in the boot layer
 * ({@code java --add-modules jdk.incubator.vector}). Without it those classes are never loaded,
 * the scalar kernels run, and one warning is logged saying so (also on stderr when SLF4J has no
 * provider, see {@link #warnUnlogged}). {@code -Djasg.cpu.vector=false} forces the scalar kernels.
 */
final class Simd {
    private static final Logger LOG = LoggerFactory.getLogger(Simd.class);

    static final String NO_VECTOR_MODULE = "jasg cpu: module jdk.incubator.vector is not enabled (java --add-modules jdk.incubator.vector);"
            + " using the scalar kernels, several times slower";

    /** True when the Vector API kernels are used. */
    static final boolean ENABLED = detect();

    private Simd() {}

    private static boolean detect() {
        if (!Boolean.parseBoolean(System.getProperty("jasg.cpu.vector", "true"))) {
            LOG.info("jasg cpu: -Djasg.cpu.vector=false; using the scalar kernels");
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.warn(NO_VECTOR_MODULE);
            warnUnlogged(NO_VECTOR_MODULE, LoggerFactory.getILoggerFactory(), providerOnClassPath(), System.err);
            return false;
        }
        try {
            // guarded: the argument loads the Vector API's classes, which the warm-up thread does off this thread
            if (LOG.isDebugEnabled()) LOG.debug("jasg cpu: Vector API kernels, {}-bit vectors", VectorWidth.preferredBits());
            return true;
        } catch (LinkageError e) {
            LOG.info("jasg cpu: the Vector API kernels failed to load ({}); using the scalar kernels", e.toString());
            return false;
        }
    }

    /**
     * Writes {@code message} to {@code err} when the SLF4J warning just logged went nowhere, and says
     * whether it did. This is the one place the library prints: a new project often has no SLF4J
     * provider, SLF4J 2 then falls back to its no-operation logger, and a 7.5x slower CPU backend
     * would go unexplained. SLF4J uses {@link NOPLoggerFactory} both for that fallback and for an
     * explicit slf4j-nop; only the fallback (no provider found on the class path) prints, so a
     * program that chose silence stays silent.
     *
     * @param factory             {@link LoggerFactory#getILoggerFactory()}
     * @param providerOnClassPath whether a {@link SLF4JServiceProvider} can be loaded (slf4j-nop is one)
     */
    static boolean warnUnlogged(String message, ILoggerFactory factory, boolean providerOnClassPath, PrintStream err) {
        boolean unlogged = factory instanceof NOPLoggerFactory && !providerOnClassPath;
        if (unlogged) err.println("WARNING: " + message + " (printed here because no SLF4J provider is bound)");
        return unlogged;
    }

    /** Whether SLF4J can find a provider, as it looks for one: a service on its own class loader, or -Dslf4j.provider. */
    private static boolean providerOnClassPath() {
        if (System.getProperty("slf4j.provider") != null) return true;
        try {
            return ServiceLoader.load(SLF4JServiceProvider.class, LoggerFactory.class.getClassLoader()).findFirst().isPresent();
        } catch (java.util.ServiceConfigurationError e) {
            return false;
        }
    }
}
