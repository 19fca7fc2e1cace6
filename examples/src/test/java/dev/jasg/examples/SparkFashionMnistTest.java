package dev.jasg.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the Spark example as {@code mvn exec:java} would, in local mode with two workers. */
class SparkFashionMnistTest {
    @Test
    void trainsOnTwoSparkWorkersWellAboveChance() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            SparkFashionMnist.main(new String[] {"--master", "local[2]", "--workers", "2", "--steps", "30", "--limit", "2000", "--mode", "local:5"});
        } finally {
            System.setOut(out);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("2 workers, 30 steps .* test accuracy (\\d\\.\\d+)").matcher(text);
        assertTrue(m.find(), text);
        assertTrue(Double.parseDouble(m.group(1)) > 0.6, text);
        assertTrue(text.contains("step 30  loss"), "progress reached the driver: " + text);
    }

    @Test
    void rejectsAnUnknownModeOrOption() {
        assertThrows(IllegalArgumentException.class, () -> SparkFashionMnist.main(new String[] {"--mode", "async"}));
        assertThrows(IllegalArgumentException.class, () -> SparkFashionMnist.main(new String[] {"--nope"}));
        assertThrows(IllegalArgumentException.class, () -> SparkFashionMnist.main(new String[] {"--steps"}));
    }
}
