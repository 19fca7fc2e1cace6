package dev.jasg.viewer.inspect;

import dev.jasg.core.ArgReduceOp;
import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.Op;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.UnaryOp;
import dev.jasg.viewer.Language;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every op of the running asg-core has its four inspector texts in both languages. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class OpTextsTest {

    /**
     * The keys, enumerated here independently of {@link OpKey#all()}: every record of the sealed
     * op interface, and for the kinded ones (an enum component {@code kind}) every constant of it.
     */
    private static List<String> expectedKeys() {
        List<String> keys = new ArrayList<>();
        for (Class<?> c : Op.class.getPermittedSubclasses()) {
            Class<?> kind = null;
            for (RecordComponent rc : c.getRecordComponents()) if (rc.getName().equals("kind") && rc.getType().isEnum()) { kind = rc.getType(); break; }
            if (kind == null) keys.add(c.getSimpleName());
            else for (Object k : kind.getEnumConstants()) keys.add(c.getSimpleName() + "." + ((Enum<?>) k).name());
        }
        return keys;
    }

    @Test
    void theKeysCoverEveryOpRecordAndEveryKind() {
        List<String> keys = OpKey.all();
        assertEquals(new TreeSet<>(expectedKeys()), new TreeSet<>(keys));
        int kinds = UnaryOp.values().length + BinaryOp.values().length + CompareOp.values().length + ReduceOp.values().length + ArgReduceOp.values().length
                + dev.jasg.core.LinalgOp.values().length;
        assertEquals(Op.class.getPermittedSubclasses().length - 6 + kinds, keys.size());
        assertEquals("Unary.GELU", OpKey.of(Op.Unary.of(UnaryOp.GELU)));
        assertEquals("MatMul", OpKey.of(new Op.MatMul()));
        assertEquals("Binary.ADD", OpKey.of(new Op.Binary(BinaryOp.ADD)));
    }

    @Test
    void everyOpHasAllFourTextsInEnglishAndRussian() {
        List<String> missing = new ArrayList<>();
        for (Language lang : Language.values()) {
            for (String key : expectedKeys()) {
                for (String field : OpTexts.FIELDS) {
                    String k = key + "." + field;
                    if (!OpTexts.bundle(lang).containsKey(k) || OpTexts.bundle(lang).getString(k).isBlank()) missing.add(lang.code() + ": " + k);
                }
            }
        }
        assertTrue(missing.isEmpty(), "inspector texts missing in optexts_<lang>.properties:\n" + String.join("\n", missing));
    }

    @Test
    void russianTextsAreRussianAndDifferFromEnglish() {
        for (String key : expectedKeys()) {
            OpText en = OpTexts.find(Language.EN, key).orElseThrow(), ru = OpTexts.find(Language.RU, key).orElseThrow();
            assertNotEquals(en.what(), ru.what(), key);
            assertTrue(ru.what().chars().anyMatch(ch -> ch >= 'а' && ch <= 'я'), key + " .what has no Cyrillic: " + ru.what());
            assertTrue(ru.why().chars().anyMatch(ch -> ch >= 'а' && ch <= 'я'), key + " .why has no Cyrillic: " + ru.why());
            assertTrue(en.what().chars().noneMatch(ch -> ch >= 'а' && ch <= 'я'), key + " English text has Cyrillic");
        }
    }

    @Test
    void theOpsBeingAddedAlreadyHaveTexts() {
        // Convolution and pooling primitives: texts written before the ops reached every build.
        for (String key : Set.of("Conv2d", "ConvTranspose2d", "Conv2dWeightGrad", "MaxPoolSelect", "MaxPoolScatter")) {
            for (Language lang : Language.values()) assertTrue(OpTexts.find(lang, key).isPresent(), lang + " " + key);
        }
        assertTrue(OpTexts.find(Language.RU, "Conv2d").orElseThrow().what().contains("NCHW"));
    }
}
