package dev.jasg.viewer;

import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A private X display for the viewer's window tests: starts Xvfb on a free display number
 * ({@code -displayfd}), 1600x1000x24. Without Xvfb or with a headless JDK the calling test is skipped
 * with the reason, unless {@code JASG_REQUIRE_DISPLAY} is set (as on CI), where it fails. Not
 * thread-safe: one test class starts and closes its own.
 */
public final class XvfbDisplay implements AutoCloseable {
    private final Process xvfb;
    private final String name;

    private XvfbDisplay(Process xvfb, String name) {
        this.xvfb = xvfb;
        this.name = name;
    }

    /** Starts Xvfb for {@code what} (named in a skip message). */
    public static XvfbDisplay start(String what) throws Exception {
        String exe = find();
        boolean required = System.getenv("JASG_REQUIRE_DISPLAY") != null;
        if (exe == null) {
            if (required) throw new AssertionError("Xvfb is not installed (apt-get install xvfb) and JASG_REQUIRE_DISPLAY is set");
            Assumptions.abort("Xvfb not installed; skipping " + what + " (apt-get install xvfb)");
        }
        // A headless JDK build has no X11 toolkit to open a window with.
        if (!Files.exists(Path.of(System.getProperty("java.home"), "lib", "libawt_xawt.so"))) {
            String why = "this JDK (" + System.getProperty("java.home") + ") has no X11 AWT (libawt_xawt.so): it is a headless build";
            if (required) throw new AssertionError(why + "; use a full JDK");
            Assumptions.abort(why);
        }
        // -displayfd: Xvfb picks a free display number and writes it to the given descriptor (1: its stdout).
        Process p = new ProcessBuilder(exe, "-displayfd", "1", "-screen", "0", "1600x1000x24", "-nolisten", "tcp")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String n = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                return r.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        if (n == null || n.isBlank()) {
            p.destroyForcibly();
            throw new AssertionError("Xvfb did not report a display");
        }
        return new XvfbDisplay(p, ":" + n.trim());
    }

    /** The display's name, e.g. {@code :99}, for {@code DISPLAY}. */
    public String name() {
        return name;
    }

    /** Stops Xvfb. */
    @Override
    public void close() {
        xvfb.destroy();
        try {
            if (!xvfb.waitFor(10, TimeUnit.SECONDS)) xvfb.destroyForcibly();
        } catch (InterruptedException e) {
            xvfb.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String find() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "Xvfb");
            if (Files.isExecutable(p)) return p.toString();
        }
        return Files.isExecutable(Path.of("/usr/bin/Xvfb")) ? "/usr/bin/Xvfb" : null;
    }
}
