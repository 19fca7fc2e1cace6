package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyGptTest {
    @Test
    void lossFallsAndSamplingGivesVocabularyCharacters() throws Exception {
        Path license = Files.exists(Path.of("../LICENSE")) ? Path.of("../LICENSE") : Path.of("LICENSE");
        String text = Files.readString(license);
        double[] early = new double[1];
        try (Backend cpu = Backends.create("cpu")) {
            TinyGpt.Result r = TinyGpt.train(cpu, text, 60, 40, 0.8, (step, loss) -> {
                if (step <= 5) early[0] += loss / 5;
            });
            // the first steps start near ln(vocab); a few dozen steps learn at least the character frequencies
            assertTrue(r.firstLoss() > 2.5, "first loss " + r.firstLoss());
            assertTrue(r.lastLoss() < early[0] - 0.5, "loss went from " + early[0] + " (mean of 5 first steps) to " + r.lastLoss());
            assertEquals(40, r.sample().length());
            TinyGpt.Vocabulary v = TinyGpt.Vocabulary.of(text);
            for (char c : r.sample().toCharArray()) v.id(c);
        }
    }

    @Test
    void thereIsAlwaysADefaultText() {
        TinyGpt.Text t = TinyGpt.defaultText();
        assertTrue(t.content().length() > 500, t.source() + " has " + t.content().length() + " characters");
        assertTrue(t.content().contains("Permission") || t.content().contains("GNU"), t.source());
    }
}
