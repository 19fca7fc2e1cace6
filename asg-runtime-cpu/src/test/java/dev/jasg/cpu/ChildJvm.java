package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test's main class run in a fresh JVM, for what a JVM fixes at start (its modules, its warm-up mode, its JIT). Stateless. */
final class ChildJvm {
    private ChildJvm() {}

    /**
     * Runs {@code main} on this JVM's java and class path with the JVM options {@code flags} and returns its standard output,
     * with its standard error when {@code withErrors}; fails unless it ends with status 0 within {@code seconds}.
     */
    static String run(Class<?> main, List<String> flags, boolean withErrors, int seconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (withErrors) pb.redirectErrorStream(true);
        else pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not end in " + seconds + " s: " + cmd);
        }
        assertEquals(0, p.exitValue(), "child JVM " + cmd + " said:\n" + out);
        return out;
    }
}
