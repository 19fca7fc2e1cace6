package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.models.text.ByteLevelBpe;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    void bpeLearnsItsOwnVocabularyAndTrainsOnItsTokens() throws Exception {
        String text = TinyGpt.defaultText().content();
        double[] early = new double[1];
        try (Backend cpu = Backends.create("cpu")) {
            TinyGpt.BpeResult r = TinyGpt.trainBpe(cpu, text, 320, 60, 30, 0.8, (step, loss) -> {
                if (step <= 5) early[0] += loss / 5;
            });
            ByteLevelBpe bpe = r.tokenizer();
            assertEquals(320, bpe.vocabSize(), "256 byte tokens + 64 merges learnt from the text");
            assertEquals(64, bpe.merges().size());
            assertEquals(text, bpe.decode(bpe.encode(text)), "the learnt tokenizer round-trips the text");
            assertEquals(bpe.encode(text).length, r.textTokens());
            assertTrue(r.textTokens() < text.getBytes(StandardCharsets.UTF_8).length * 0.75, r.textTokens() + " tokens: merges shorten the text");
            // the model predicts BPE ids: it starts near ln(320) = 5.8 and learns
            assertTrue(r.firstLoss() > 4.5, "first loss " + r.firstLoss());
            assertTrue(r.lastLoss() < early[0] - 0.5, "loss went from " + early[0] + " (mean of 5 first steps) to " + r.lastLoss());
            assertEquals(30, r.sampleIds().length);
            for (int id : r.sampleIds()) assertTrue(id >= 0 && id < bpe.vocabSize(), "sampled id " + id);
            assertEquals(bpe.decode(r.sampleIds()), r.sample());
        }
    }

    @Test
    void bpeNeedsTheByteTokens() {
        try (Backend cpu = Backends.create("cpu")) {
            var e = assertThrows(IllegalArgumentException.class, () -> TinyGpt.trainBpe(cpu, TinyGpt.defaultText().content(), 100, 1, 1, 0.8, (s, l) -> {}));
            assertTrue(e.getMessage().contains("vocabSize must be at least 256") && e.getMessage().contains("got 100"), e.getMessage());
        }
    }

    @Test
    void thereIsAlwaysADefaultText() {
        TinyGpt.Text t = TinyGpt.defaultText();
        assertTrue(t.content().length() > 500, t.source() + " has " + t.content().length() + " characters");
        assertTrue(t.content().contains("Permission") || t.content().contains("GNU"), t.source());
    }
}
