package dev.jasg.viewer.ui;

import dev.jasg.viewer.Language;
import dev.jasg.viewer.Messages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The issue-17 tabs in the real viewer window on Xvfb, in English and Russian: {@link LabToolsDriver}
 * (a child JVM on the display) drives the layer editor and the profile through their components.
 * Skipped without Xvfb unless {@code JASG_REQUIRE_DISPLAY} is set (as on CI). The session trains on
 * the cpu backend, or on {@code -Djasg.labtools.backend=vulkan}.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class LabToolsWindowTest {
    private static dev.jasg.viewer.XvfbDisplay xvfb;
    private static String display;

    @BeforeAll
    static void startXvfb() throws Exception {
        xvfb = dev.jasg.viewer.XvfbDisplay.start("the lab tools window test");
        display = xvfb.name();
    }

    @AfterAll
    static void stopXvfb() {
        if (xvfb != null) xvfb.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"en", "ru"})
    void theLayerEditorAndTheProfileWorkInTheWindow(String lang) throws Exception {
        String backend = System.getProperty("jasg.labtools.backend", "cpu");
        Path out = Path.of("target", "screenshots", "lab-tools-" + lang + (backend.equals("cpu") ? "" : "-" + backend));
        Files.createDirectories(out);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=false", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "--enable-native-access=ALL-UNNAMED",
                "--add-modules", "jdk.incubator.vector", "-cp", cp, LabToolsDriver.class.getName(), out.toString(), lang, backend));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolve("driver.log").toFile());
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the driver did not finish in 180 s; log:\n" + Files.readString(out.resolve("driver.log")));
        }
        assertEquals(0, p.exitValue(), "driver failed:\n" + Files.readString(out.resolve("driver.log")));
        Properties r = new Properties();
        try (var in = Files.newBufferedReader(out.resolve("result.properties"))) {
            r.load(in);
        }
        Messages m = Messages.of(Language.parse(lang).orElseThrow());
        assertEquals(m.get("tabs.inspector") + "|" + m.get("tabs.layerEditor") + "|" + m.get("tabs.profile"), r.getProperty("tabs"));
        assertTrue(r.getProperty("layers").contains("0 Conv2d{out_channels=4, kernel_size=3, stride=1, padding=0, dilation=1, groups=1}"), r.getProperty("layers"));
        assertTrue(r.getProperty("layers").contains("3 Linear{out_features=10}"), r.getProperty("layers"));
        // The preview fits, names the adapted Linear and changes nothing.
        assertTrue(r.getProperty("preview").startsWith("Ready " + m.get("layerEditor.fits")), r.getProperty("preview"));
        assertTrue(r.getProperty("preview").contains("3 (Linear(in_features=4056, out_features=10"), r.getProperty("preview"));
        assertEquals("false", r.getProperty("previewRed"));
        assertEquals("0", r.getProperty("historyAfterPreview"));
        // Apply: the convolution has 6 channels, the Linear reads 6*26*26, its bias kept its value; training went on.
        assertEquals("1", r.getProperty("historyAfterApply"));
        assertEquals("[6, 1, 3, 3]", r.getProperty("conv"));
        assertEquals("[10, 4056]", r.getProperty("linear"));
        assertEquals("true", r.getProperty("biasKept"));
        // groups=3 does not divide the one input channel: red, nothing applied.
        assertEquals("true", r.getProperty("refusedRed"));
        assertTrue(r.getProperty("refused").contains("0 (Conv2d)"), r.getProperty("refused"));
        assertEquals("1", r.getProperty("historyAfterRefusal"));
        assertTrue(Long.parseLong(r.getProperty("stepsAfterEdit")) > 5);
        // The profile: one row per node of the step (forward, gradients, update), sorted slowest first.
        int rows = Integer.parseInt(r.getProperty("rows"));
        assertTrue(rows > Integer.parseInt(r.getProperty("forwardNodes")), rows + " rows");
        assertTrue(Double.parseDouble(r.getProperty("firstRowTime")) >= Double.parseDouble(r.getProperty("lastRowTime")));
        assertTrue(Double.parseDouble(r.getProperty("firstRowTime")) > 0);
        assertTrue(r.getProperty("summary").contains(backend), r.getProperty("summary"));
        for (String shot : List.of("editor_" + lang + ".png", "profile_" + lang + ".png", "window_" + lang + ".png")) {
            BufferedImage img = ImageIO.read(out.resolve(shot).toFile());
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < img.getHeight(); y += 5) for (int x = 0; x < img.getWidth(); x += 5) colours.add(img.getRGB(x, y));
            assertTrue(img.getWidth() > 200 && colours.size() > 20, shot + " looks blank: " + colours.size() + " colours");
        }
    }
}
