package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend in a JVM started without {@code --add-modules jdk.incubator.vector} (an application that forgot it, the
 * viewer's tests): every kernel falls back to its scalar path, and no class whose fields are vector types is loaded on
 * the way (a {@code NoClassDefFoundError} there once broke every elementwise add). The child's result must match this
 * JVM's, run the same way with or without the Vector API: the scalar and vector paths give the same bits.
 */
class NoVectorApiTest {
    @Test
    void theBackendRunsWithoutTheVectorModule() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), NoVectorApiMain.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not end");
        assertEquals(0, p.exitValue(), "child JVM said:\n" + out);
        assertTrue(out.contains("simd=false"), out);
        String first = line(out, "first="), second = line(out, "second=");
        assertEquals(first, second, "both runs:\n" + out);
        assertTrue(Double.isFinite(Double.parseDouble(first)), out);
    }

    private static String line(String out, String key) {
        for (String l : out.split("\n")) if (l.startsWith(key)) return l.substring(key.length()).trim();
        throw new AssertionError("no " + key + " in:\n" + out);
    }
}
