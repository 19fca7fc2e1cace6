package dev.jasg.viewer.lab;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.ShapeException;
import dev.jasg.viewer.Language;
import dev.jasg.viewer.Messages;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Model Lab's notices and refusals ({@link LabText}) exist in both languages with the same placeholders. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class LabTextTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[0-9]+\\}");
    private static final Pattern KEY_LITERAL = Pattern.compile("\"(lab\\.[a-zA-Z0-9_.]*[a-zA-Z0-9_])\"");

    /** Every key the code makes a LabText of, literal or built from an enum or a role, in a table. */
    private static Set<String> keysTheCodeUses() throws IOException {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = KEY_LITERAL.matcher(Files.readString(f));
                while (m.find()) keys.add(m.group(1));
            }
        }
        for (LabSession.State s : LabSession.State.values()) keys.add("lab.state." + s.name().toLowerCase(java.util.Locale.ROOT));
        for (ShapeException.Kind k : ShapeException.Kind.values()) keys.add("lab.reason.shape." + k.name().toLowerCase(java.util.Locale.ROOT));
        for (String role : List.of("producer", "consumer", "node")) keys.add("lab.role." + role);
        return keys;
    }

    private static Set<String> placeholders(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    @Test
    void everyNoticeKeyExistsInBothLanguagesWithTheSamePlaceholders() throws IOException {
        Set<String> used = keysTheCodeUses();
        assertTrue(used.size() > 40, "the scan found the keys: " + used);
        assertTrue(used.contains("lab.notice.finished") && used.contains("lab.reason.noEdge"), used.toString());
        Messages en = Messages.of(Language.EN), ru = Messages.of(Language.RU);
        List<String> wrong = new ArrayList<>();
        for (String key : used) {
            if (!en.has(key) || !ru.has(key)) {
                wrong.add(key + ": missing in " + (en.has(key) ? "" : "en ") + (ru.has(key) ? "" : "ru"));
                continue;
            }
            if (!placeholders(en.get(key)).equals(placeholders(ru.get(key)))) {
                wrong.add(key + ": placeholders " + placeholders(en.get(key)) + " in en, " + placeholders(ru.get(key)) + " in ru");
            }
        }
        // and no lab.* text that nothing uses
        for (String key : en.bundle().keySet()) if (key.startsWith("lab.") && !used.contains(key)) wrong.add(key + ": not used");
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void aRuleBrokenAtANodeReadsInRussianWithTheNodeAndShapes() {
        record Case(String what, java.util.function.Function<GraphBuilder, Object> build, String ru, String shapes) {}
        // the op's label (add, permute) is a name, as in the inspector
        List<Case> cases = List.of(
                new Case("matmul", g -> g.input("a", DType.F32, 32, 784).matmul(g.input("b", DType.F32, 128, 10)), "внутренние размерности", "f32[32,784], f32[128,10]"),
                new Case("broadcast", g -> g.input("a", DType.F32, 3, 4).add(g.input("b", DType.F32, 5)), "поэлементно", "f32[3,4], f32[5]"),
                new Case("reshape", g -> g.input("a", DType.F32, 2, 3).reshape(4, 2), "число элементов", "f32[2,3]"),
                new Case("dtype", g -> g.input("a", DType.F32, 2).add(g.input("i", DType.I32, 2)), "типы данных", "f32[2], i32[2]"),
                new Case("other", g -> g.input("a", DType.F32, 2, 3).permute(0, 0), "не принимает входы", "f32[2,3]"));
        for (Case c : cases) {
            GraphBuilder g = new GraphBuilder();
            ShapeException e;
            try (var s = g.scope("fc2")) {
                e = assertThrows(ShapeException.class, () -> c.build().apply(g), c.what());
            }
            LabText t = LabText.reason(new RuntimeException("wrapped", e));
            String ru = t.render(Messages.of(Language.RU));
            assertTrue(ru.contains(c.ru()) && ru.contains("fc2/") && ru.contains(c.shapes()), c.what() + ": " + ru);
            if (!c.what().equals("other")) assertTrue(!hasEnglish(ru.replace(" add:", ":")), c.what() + ": " + ru);
            String en = t.english();
            assertTrue(en.contains("fc2/") && en.contains(c.shapes()), c.what() + ": " + en);
        }
    }

    @Test
    void argumentsThatAreTextsRenderInTheSameLanguage() {
        LabText t = LabText.of("lab.reason.sessionEnded", LabText.of("lab.state.finished"));
        assertEquals("the session ended (finished) before the edit was checked", t.english());
        assertEquals("сеанс закончился (закончен) до проверки правки", t.render(Messages.of(Language.RU)));
        assertEquals(t.english(), t.toString());
    }

    @Test
    void aResizeTheLayerRefusesReadsInRussian() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LayerResize.of("1", "out_features", 0).resized(new dev.jasg.nn.Linear(4, 4)));
        assertEquals("out_features of 1 must be positive, got 0", e.getMessage());
        assertEquals("out_features у 1 должно быть положительным, задано 0", LabText.reason(e).render(Messages.of(Language.RU)));
        IllegalArgumentException relu = assertThrows(IllegalArgumentException.class, () -> LayerResize.of("2", "out_features", 3).resized(new dev.jasg.nn.ReLU()));
        assertTrue(LabText.reason(relu).render(Messages.of(Language.RU)).startsWith("2 — это ReLU; править можно только слои Linear"), LabText.reason(relu).english());
    }

    /** A Latin word of three letters or more, outside node paths, shapes and dtypes. */
    static boolean hasEnglish(String text) {
        String prose = text.replaceAll("[A-Za-z0-9_.#]*/[A-Za-z0-9_.#]*", "").replaceAll("\\b(f32|f64|i32|i64|bool)\\[", "[");
        return Pattern.compile("[A-Za-z]{3,}").matcher(prose).find();
    }
}
