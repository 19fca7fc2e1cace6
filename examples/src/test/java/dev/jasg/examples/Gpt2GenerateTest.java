package dev.jasg.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gpt2GenerateTest {
    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Gpt2Generate.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutWeightsATinyRandomModelRunsAndSaysSo() {
        Run r = run("--prompt", "The quick brown fox", "--max-tokens", "8", "--temperature", "0.9", "--top-k", "20", "--top-p", "0.9");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("RANDOM weights"), r.out());
        assertTrue(r.out().contains("The quick brown fox"), r.out());
        assertTrue(r.out().contains("tokens/s"), r.out());
    }

    @Test
    void badFlagsPrintUsage() {
        String[][] cases = {
            {"--frobnicate"}, {"--max-tokens"}, {"--max-tokens", "zero"}, {"--top-p", "1.5"}, {"--weights", "/no/such/dir"},
        };
        for (String[] c : cases) {
            Run r = run(c);
            assertEquals(2, r.status(), String.join(" ", c));
            assertTrue(r.err().startsWith("Gpt2Generate: "), String.join(" ", c) + ": " + r.err());
        }
        assertTrue(run("--frobnicate").err().contains("usage: Gpt2Generate"));
    }
}
