package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
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
        String out = ChildJvm.run(NoVectorApiMain.class, List.of(), true, 120);
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
