package dev.jasg.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code Peers --serve}, the protocol {@code benchmarks/peers/alternate.py} drives: {@code # ready} after the warm-up, one
 * rate line for each {@code window S}, a named refusal for anything else, and nothing after {@code end}. The workload is a
 * counter whose steps take a known time, so the rate a window prints is checked too.
 */
class PeersServeTest {
    /** Steps that each take about a millisecond, counted. */
    private static final class Counted implements Workloads.Workload {
        int steps;

        @Override
        public void step() {
            steps++;
            long until = System.nanoTime() + 1_000_000;
            while (System.nanoTime() < until) Thread.onSpinWait();
        }

        @Override
        public double unitsPerStep() {
            return 2.0;
        }

        @Override
        public String unit() {
            return "units/s";
        }

        @Override
        public String lastValue() {
            return "steps=" + steps;
        }

        @Override
        public void close() {}
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // input lines ('/' between them) | lines out after '# ready': r = a rate line, e = an error line
        "two windows|window 0.05/window 0.05|r/r",
        "end stops the windows|window 0.05/end/window 0.05|r",
        "the end of the input stops them|window 0.05|r",
        "a bad line is refused by name and the next one runs|windw 0.05/window x/window 0/window -1/window Infinity/window 0.05|e/e/e/e/e/r",
    })
    void servesWindowsInTurn(String name, String input, String expected) throws Exception {
        Counted w = new Counted();
        var bytes = new ByteArrayOutputStream();
        try (var out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Peers.serve("probe", w, 0.01, new BufferedReader(new StringReader(input.replace('/', '\n') + "\n")), out);
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("# ready", lines.get(0), name);
        List<String> kinds = lines.subList(1, lines.size()).stream()
                .map(l -> l.startsWith("jasg_probe ") ? "r" : l.startsWith("# error: expected 'window SECONDS' or 'end', got '") ? "e" : "?" + l)
                .toList();
        assertEquals(List.of(expected.split("/")), kinds, name);
        for (String l : lines) {
            if (!l.startsWith("jasg_probe ")) continue;
            String[] f = l.split(" ");
            assertEquals("units/s", f[2], l);
            double rate = Double.parseDouble(f[1]);
            // about 1,000 steps a second of 2 units each: a window that did not step, or counted wrongly, is far off
            assertTrue(rate > 200 && rate < 2200, l);
        }
    }
}
