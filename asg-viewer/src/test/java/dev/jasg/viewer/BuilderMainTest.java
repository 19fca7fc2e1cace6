package dev.jasg.viewer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code viewer.jar --builder}: its command line, and what it says when it cannot open (no window is opened here). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BuilderMainTest {
    @Test
    void commandLines() {
        // {args, file or null, language code, or a fragment of the usage error}
        String[][] rows = {
                {"--builder", null, "en", null},
                {"--builder model.json", "model.json", "en", null},
                {"--lang ru --builder model.json", "model.json", "ru", null},
                {"--builder --theme light --lang ru", null, "ru", null},
                {"--builder --model mlp", null, null, "takes only a model file"},
                {"--builder --bogus", null, null, "takes only a model file"},
                {"--builder a.json --builder b.json", null, null, "given twice"},
                {"--builder --lang", null, null, "needs a value"},
        };
        for (String[] r : rows) {
            String[] args = r[0].split(" ");
            assertTrue(BuilderMain.requested(args));
            if (r[3] != null) {
                ViewerOptions.UsageException e = assertThrows(ViewerOptions.UsageException.class, () -> BuilderMain.parse(args), r[0]);
                assertTrue(e.getMessage().contains(r[3]), r[0] + ": " + e.getMessage());
                continue;
            }
            BuilderMain.Command c = BuilderMain.parse(args);
            if (r[1] == null) assertNull(c.file(), r[0]);
            else assertEquals(Path.of(r[1]), c.file(), r[0]);
            assertEquals(r[2], c.options().languageOrDefault().code(), r[0]);
        }
        assertTrue(!BuilderMain.requested(new String[] {"--model", "mlp"}));
    }

    @Test
    void aBadFlagPrintsTheUsageAndABadFileSaysWhy(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = ViewerMain.run(new String[] {"--builder", "--epochs", "3"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains("--builder takes only") && e.contains("usage: java -jar viewer.jar") && e.contains("--builder [FILE]"), e);

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"format_version\": 7, \"name\": \"m\", \"inputs\": [], \"nodes\": [], \"edges\": []}");
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        rc = ViewerMain.run(new String[] {"--builder", bad.toString()}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err2, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        String e2 = err2.toString(StandardCharsets.UTF_8);
        assertTrue(e2.contains("cannot open") && e2.contains("format_version 7"), e2);

        // no display (the unit tests run headless): a clear message, status 2
        ByteArrayOutputStream err3 = new ByteArrayOutputStream();
        rc = ViewerMain.run(new String[] {"--builder"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err3, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        assertTrue(err3.toString(StandardCharsets.UTF_8).contains("needs a display"), err3.toString(StandardCharsets.UTF_8));
    }
}
