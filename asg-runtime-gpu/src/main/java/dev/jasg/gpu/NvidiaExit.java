package dev.jasg.gpu;

import org.lwjgl.system.JNI;
import org.lwjgl.system.Platform;
import org.lwjgl.system.linux.DynamicLinkLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workaround for NVIDIA's headless Linux driver, whose own thread in {@code libEGL_nvidia}
 * dereferences freed state while the process exits (SIGSEGV, exit status 134, after all of the
 * program's work and output: seen with driver 580 on the H200 whether the program returns from
 * {@code main}, calls {@code System.exit} or {@code Runtime.halt}, and whether or not the device
 * and instance are destroyed first).
 *
 * <p>The JVM ends a process through the C library's {@code exit(status)}, which runs the
 * {@code atexit}/{@code on_exit} handlers, newest first, and then the shared libraries'
 * destructors, which is where the driver's thread loses its state. After the first NVIDIA device is
 * opened this registers {@code on_exit(_exit, NULL)}: glibc calls it with the exit status before
 * any earlier handler and before the destructors, and {@code _exit(status)} ends the process
 * there with the status the program chose. Java's shutdown hooks have all run by then (they run
 * before the JVM calls {@code exit}); what is skipped is native code's own exit handlers and
 * destructors (for example a C library's buffered {@code printf} output). Property
 * {@value #PROPERTY}{@code =false} turns it off. Linux with glibc only; elsewhere it does nothing.
 *
 * <p>Thread-safe; installs at most once per process.
 */
final class NvidiaExit {
    /** System property that turns the workaround off ({@code false}). */
    static final String PROPERTY = "jasg.vulkan.nvidiaExitWorkaround";
    /** PCI vendor id of NVIDIA. */
    static final int NVIDIA = 0x10DE;
    private static final Logger LOG = LoggerFactory.getLogger(NvidiaExit.class);
    private static boolean installed;

    private NvidiaExit() {}

    /** Whether the workaround applies to a device of {@code vendorId} with the property {@code setting} (null when unset). */
    static boolean applies(int vendorId, String setting, Platform platform) {
        return vendorId == NVIDIA && platform == Platform.LINUX && !"false".equalsIgnoreCase(setting);
    }

    /** Registers {@code on_exit(_exit, NULL)} once, if {@link #applies} to the device. */
    static synchronized void installFor(int vendorId) {
        if (installed || !applies(vendorId, System.getProperty(PROPERTY), Platform.get())) return;
        installed = true;
        long libc = DynamicLinkLoader.dlopen("libc.so.6", DynamicLinkLoader.RTLD_NOW);
        long onExit = libc == 0 ? 0 : DynamicLinkLoader.dlsym(libc, "on_exit");
        long exit = libc == 0 ? 0 : DynamicLinkLoader.dlsym(libc, "_exit");
        if (onExit == 0 || exit == 0) {
            LOG.warn("NVIDIA driver: cannot register the exit workaround (no glibc on_exit/_exit); the process may end with SIGSEGV in libEGL_nvidia");
            return;
        }
        int r = JNI.invokePPI(exit, 0L, onExit);
        if (r != 0) LOG.warn("NVIDIA driver: on_exit returned {}; the exit workaround is not active", r);
        else LOG.debug("NVIDIA driver: the process will end through _exit after Java's shutdown hooks ({}=false turns this off)", PROPERTY);
    }
}
