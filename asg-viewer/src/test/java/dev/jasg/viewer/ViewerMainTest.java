package dev.jasg.viewer;

import dev.jasg.viewer.demo.DemoModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ViewerMainTest {
    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = ViewerMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsTheUsage() {
        Run r = run("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("usage: java -jar viewer.jar"), r.out());
        assertTrue(r.out().contains("--lang") && r.out().contains("--gpu") && r.out().contains("--headless"));
    }

    @Test
    void aBadFlagPrintsTheUsageAndExitsWithTwo() {
        for (String[] args : new String[][] {{"--frobnicate"}, {"--model", "resnet"}, {"--epochs"}, {"--batch", "zero"}, {"--theme", "pink"}}) {
            Run r = run(args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertTrue(r.err().contains("usage: java -jar viewer.jar"), r.err());
            assertTrue(r.err().startsWith("viewer: "), r.err());
        }
    }

    @Test
    void optionsAreParsed() {
        ViewerOptions o = ViewerOptions.parse("--lang", "RUSSIAN", "--gpu", "--model", "cnn", "--epochs", "2", "--steps", "10", "--batch", "16",
                "--lr", "0.01", "--seed", "3", "--synthetic", "--theme", "light", "--paused", "--data", "/tmp/x");
        assertEquals(Language.RU, o.language());
        assertEquals("vulkan", o.backend());
        assertEquals(DemoModel.CNN, o.model());
        assertEquals(2, o.epochs());
        assertEquals(10, o.steps());
        assertEquals(16, o.batch());
        assertEquals(0.01, o.lr());
        assertEquals(3, o.seed());
        assertTrue(o.synthetic() && o.paused() && !o.dark());
        assertEquals(Path.of("/tmp/x"), o.data());
        ViewerOptions d = ViewerOptions.parse();
        assertEquals(DemoModel.TRANSFORMER, d.model());
        assertEquals(Language.EN, d.language());
        ViewerOptions unknown = ViewerOptions.parse("--lang", "klingon");
        assertNull(unknown.language());
        assertEquals(Language.EN, unknown.languageOrDefault());
        assertThrows(ViewerOptions.UsageException.class, () -> ViewerOptions.parse("--lr", "-1"));
    }

    @Test
    void missingDataIsAClearErrorWithStatusTwo() {
        Run r = run("--headless", "--data", "/nonexistent/fashion");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("Fashion-MNIST not found in /nonexistent/fashion"), r.err());
    }

    @Test
    void headlessRunsTheTrainingAndPrintsProgressInRussian() {
        Run r = run("--headless", "--lang", "ru", "--model", "mlp", "--synthetic", "--limit", "640", "--batch", "32", "--epochs", "2");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("граф: прямых узлов"), r.out());
        assertTrue(r.out().contains("шаг 1 "), r.out());
        assertTrue(r.out().contains("эпоха 2"), r.out());
        assertTrue(r.out().contains("точность на отложенной выборке"), r.out());
        assertTrue(r.out().contains("готово: шагов 40"), r.out());
        assertTrue(r.out().contains("перцептрон 784-128-64-10") && r.out().contains("синтетические фигуры"), r.out());
    }

    @Test
    void anUnknownLanguageFallsBackToEnglishWithAWarning() {
        Run r = run("--headless", "--lang", "fr", "--model", "mlp", "--synthetic", "--limit", "64", "--batch", "32", "--steps", "3");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("unknown language 'fr'"), r.err());
        assertTrue(r.out().contains("finished: 3 steps"), r.out());
    }

    @Test
    void gpuFallsBackToTheCpuOrTrainsOnVulkan() {
        Run r = run("--headless", "--gpu", "--model", "mlp", "--synthetic", "--limit", "64", "--batch", "32", "--steps", "2");
        assertEquals(0, r.status(), r.out() + r.err());
        boolean vulkan = r.out().contains("backend: vulkan");
        assertTrue(vulkan || (r.err().contains("the Vulkan backend is not available") && r.out().contains("backend: cpu")), r.out() + r.err());
        assertFalse(r.out().contains("failed"), r.out());
    }
}
