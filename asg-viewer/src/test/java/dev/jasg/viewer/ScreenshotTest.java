package dev.jasg.viewer;

import dev.jasg.core.UnaryOp;
import dev.jasg.viewer.inspect.OpText;
import dev.jasg.viewer.inspect.OpTexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The viewer on a real X display: starts its own Xvfb (so it needs no display from the caller and
 * never shows a window on a desktop), runs {@link ScreenshotDriver} in a child JVM on it, in
 * Russian, and checks the screenshot and that the inspector shows the Russian text of the
 * selected ReLU. Without Xvfb the test is skipped, unless {@code JASG_REQUIRE_DISPLAY} is set (as
 * CI does), when it fails.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ScreenshotTest {
    private static dev.jasg.viewer.XvfbDisplay xvfb;
    private static String display;

    @BeforeAll
    static void startXvfb() throws Exception {
        xvfb = dev.jasg.viewer.XvfbDisplay.start("the screenshot test");
        display = xvfb.name();
    }

    @AfterAll
    static void stopXvfb() {
        if (xvfb != null) xvfb.close();
    }

    @Test
    void theRussianViewerExplainsTheSelectedReluAndSavesAScreenshot() throws Exception {
        Path out = Path.of("target", "screenshots");
        Files.createDirectories(out);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=false", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "--enable-native-access=ALL-UNNAMED",
                "--add-modules=jdk.incubator.vector",
                "-cp", cp, ScreenshotDriver.class.getName(), out.toString(), "ru"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolve("driver.log").toFile());
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the viewer did not finish in 180 s; log:\n" + Files.readString(out.resolve("driver.log")));
        }
        String log = Files.readString(out.resolve("driver.log"));
        assertEquals(0, p.exitValue(), "driver failed:\n" + log);

        BufferedImage shot = ImageIO.read(out.resolve("viewer.png").toFile());
        assertTrue(shot.getWidth() >= 1000 && shot.getHeight() >= 600, shot.getWidth() + "x" + shot.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < shot.getHeight(); y += 7) for (int x = 0; x < shot.getWidth(); x += 7) colours.add(shot.getRGB(x, y));
        assertTrue(colours.size() > 50, "the screenshot looks blank: " + colours.size() + " colours");
        assertTrue(Files.size(out.resolve("graph.png")) > 10_000);
        assertTrue(Files.readString(out.resolve("graph.svg")).contains("<svg"));
        assertTrue(Files.size(out.resolve("loss.png")) > 5_000);

        // Pause, replace and resume through the window.
        java.util.Properties lab = new java.util.Properties();
        lab.load(Files.newBufferedReader(out.resolve("lab.txt")));
        assertEquals(lab.getProperty("paused"), lab.getProperty("stillPaused"), "no step while paused");
        assertEquals("gelu", lab.getProperty("op"));
        assertTrue(Long.parseLong(lab.getProperty("after")) > Long.parseLong(lab.getProperty("stillPaused")), "training continued after the edit");

        String inspector = Files.readString(out.resolve("inspector.txt"));
        OpText ru = OpTexts.find(Language.RU, dev.jasg.core.Op.Unary.of(UnaryOp.RELU)).orElseThrow();
        assertTrue(inspector.contains(ru.name()), inspector);
        assertTrue(inspector.contains(ru.what()), inspector);
        assertTrue(inspector.contains(ru.why()), inspector);
        assertTrue(inspector.contains(Messages.of(Language.RU).get("inspector.what")), inspector);
        assertTrue(inspector.contains("%"), inspector);
    }

    /**
     * The Model Lab's phase C through the real window, driven by Robot mouse events in English
     * ({@link LabGuiDriver}): fit shows every box in both views, a hovered edge shows its
     * statistics, a shape-breaking insert is a red preview that changes nothing, Dropout(0.3)
     * inserted between two Linear layers keeps every weight and moment and training goes on, and
     * Delete lists what goes.
     */
    @Test
    void insertingDropoutThroughTheContextMenuKeepsTheWeightsAndTrainingGoesOn() throws Exception {
        java.util.Properties seen = runLabDriver("en", Path.of("target", "screenshots-lab-en"));
        assertEquals("0 of " + seen.getProperty("fit.forward").split(" of ")[1], seen.getProperty("fit.forward"), "fit shows every box");
        assertEquals("0 of " + seen.getProperty("fit.gradient").split(" of ")[1], seen.getProperty("fit.gradient"), "fit shows every box");
        String hover = seen.getProperty("hover");
        assertTrue(hover.contains("min") && hover.contains("NaN/Inf: 0"), hover);
        assertEquals("Resume", seen.getProperty("pauseLabel"));
        assertEquals("true", seen.getProperty("failed.red"));
        assertEquals("false", seen.getProperty("failed.applyEnabled"));
        String failed = seen.getProperty("failed.text");
        assertTrue(failed.contains("Does not fit") && failed.contains("[B,5]"), failed);
        String[] nodes = seen.getProperty("failed.nodesAfter").split("/");
        assertEquals(nodes[1], nodes[0], "a failed insert changes nothing");
        assertEquals("false", seen.getProperty("dropout.red"), seen.getProperty("dropout.text"));
        assertTrue(seen.getProperty("dropout.p").matches("0\\.3 in ins[0-9]+_Dropout"), seen.getProperty("dropout.p"));
        assertEquals("yes", seen.getProperty("dropout.reads"));
        assertEquals("0", seen.getProperty("changed"), "every weight and moment kept at the edit: " + seen.getProperty("kept"));
        assertEquals("1", seen.getProperty("history"));
        assertEquals("inserted Dropout(p=0.3)", seen.getProperty("markers"), "the loss chart marks the edit");
        assertTrue(Long.parseLong(seen.getProperty("stepsAfter")) > Long.parseLong(seen.getProperty("stepAtEdit")) + 40);
        String delete = seen.getProperty("delete.text");
        assertTrue(delete.contains("relu") && seen.getProperty("delete.red").equals("false"), delete);
        assertTrue(Files.size(Path.of("target", "screenshots-lab-en", "insert-dialog.png")) > 3_000);
    }

    /** The same in Russian, for the dialogs' screenshots and texts. */
    @Test
    void theLabDialogsInRussian() throws Exception {
        java.util.Properties seen = runLabDriver("ru", Path.of("target", "screenshots-lab-ru"));
        assertEquals(Messages.of(Language.RU).get("toolbar.resume"), seen.getProperty("pauseLabel"));
        String failed = seen.getProperty("failed.text");
        // the reason too is Russian: the broken rule named in words, with the node and the shapes
        assertTrue(failed.startsWith("Не подходит") && failed.contains("внутренние размерности") && failed.contains("[B,5]"), failed);
        assertTrue(seen.getProperty("dropout.text").startsWith("Подходит"), seen.getProperty("dropout.text"));
        assertTrue(seen.getProperty("delete.text").startsWith("Подходит"), seen.getProperty("delete.text"));
        assertTrue(seen.getProperty("hover").contains("среднее"), seen.getProperty("hover"));
        assertEquals("вставлено: Dropout(p=0.3)", seen.getProperty("markers"));
        for (String f : new String[] {"insert-failed.png", "insert-dialog.png", "delete-dialog.png", "lab.png"}) {
            assertTrue(Files.size(Path.of("target", "screenshots-lab-ru", f)) > 3_000, f);
        }
    }

    private static java.util.Properties runLabDriver(String lang, Path out) throws Exception {
        Files.createDirectories(out);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=false", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "--enable-native-access=ALL-UNNAMED",
                "--add-modules=jdk.incubator.vector",
                "-cp", cp, LabGuiDriver.class.getName(), out.toString(), lang,
                "backend=" + System.getProperty("jasg.gui.backend", "cpu")));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolve("driver.log").toFile());
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the lab driver did not finish in 180 s; log:\n" + Files.readString(out.resolve("driver.log")));
        }
        String log = Files.readString(out.resolve("driver.log"));
        assertEquals(0, p.exitValue(), "driver failed:\n" + log);
        java.util.Properties seen = new java.util.Properties();
        try (var r = Files.newBufferedReader(out.resolve("gui.txt"))) {
            seen.load(r);
        }
        return seen;
    }
}
