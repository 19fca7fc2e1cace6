package dev.jasg.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.Test;

class CharLstmTest {
    @Test
    void lossFallsAndSamplingGivesVocabularyCharacters() {
        try (Backend cpu = Backends.create("cpu")) {
            // a target no run reaches, so exactly 40 steps are taken
            CharLstm.Result r = CharLstm.train(cpu, CharLstm.RHYME, 40, -1, 30, 0.5, (step, loss) -> {});
            assertEquals(40, r.steps());
            // the first step starts near ln(32); 40 steps of Adam at 1e-2 learn far more than the character frequencies
            assertTrue(r.firstLoss() > 3, "first loss " + r.firstLoss());
            assertTrue(r.lastLoss() < 1.5, "loss went from " + r.firstLoss() + " to " + r.lastLoss());
            assertEquals(30, r.sample().length());
            TinyGpt.Vocabulary v = TinyGpt.Vocabulary.of(CharLstm.RHYME);
            for (char c : r.sample().toCharArray()) v.id(c);
        }
    }
}
