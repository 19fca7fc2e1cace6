package dev.jasg.viewer.ui;

import dev.jasg.nn.spec.ModelSpec;
import dev.jasg.nn.spec.SpecTraining;
import dev.jasg.nn.spec.Templates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18's end-to-end test through the real model builder on Xvfb: {@link BuilderGuiDriver} (a
 * child JVM on the display) builds LeNet-5 from the palette with Robot drags, trains it 50 steps,
 * saves and reopens the JSON and exports Java; this test then compiles the exported class with the
 * JDK's compiler, runs the same 50 steps and compares the losses step for step, and trains the saved
 * JSON for the same losses. Skipped without Xvfb unless {@code JASG_REQUIRE_DISPLAY} is set (as on CI).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BuilderWindowTest {
    private static dev.jasg.viewer.XvfbDisplay xvfb;
    private static String display;

    @BeforeAll
    static void startXvfb() throws Exception {
        xvfb = dev.jasg.viewer.XvfbDisplay.start("the builder window test");
        display = xvfb.name();
    }

    @AfterAll
    static void stopXvfb() {
        if (xvfb != null) xvfb.close();
    }

    @Test
    void lenetBuiltFromThePaletteTrainsSavesReloadsAndExportsToTheSameLosses() throws Exception {
        Path out = Path.of("target", "builder-gui");
        Files.createDirectories(out);
        for (String f : new String[] {"gui.txt", "losses.txt", "lenet.json", "LeNetBuilt.java"}) Files.deleteIfExists(out.resolve(f));
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=false", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "--enable-native-access=ALL-UNNAMED",
                // no --add-modules jdk.incubator.vector: this JVM (surefire's) runs the CPU kernels without the Vector API, and
                // the losses are compared step for step with what it computes, so the driver must take the same kernels
                "-cp", cp, BuilderGuiDriver.class.getName(), out.toString(), "en"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolve("driver.log").toFile());
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        if (!p.waitFor(200, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the builder driver did not finish in 200 s; log:\n" + Files.readString(out.resolve("driver.log")));
        }
        assertEquals(0, p.exitValue(), "driver failed:\n" + Files.readString(out.resolve("driver.log")));
        Properties seen = new Properties();
        try (var r = Files.newBufferedReader(out.resolve("gui.txt"))) {
            seen.load(r);
        }

        // built through the GUI: 12 nodes; mid-drag the compatible ports were green, the others red, and the drop snapped
        assertEquals("12", seen.getProperty("nodes"));
        String fromX = seen.getProperty("colours.x");
        assertTrue(fromX.contains("conv1:0=true") && fromX.contains("fc1:0=false") && fromX.contains("conv2:0=false"), fromX);
        assertEquals("conv1:0", seen.getProperty("snapped.x"));
        String fromPool2 = seen.getProperty("colours.pool2");
        assertTrue(fromPool2.contains("flatten1:0=true") && fromPool2.contains("fc1:0=false") && fromPool2.contains("conv1:0=false"), fromPool2);
        String fromFlatten = seen.getProperty("colours.flatten1");
        assertTrue(fromFlatten.contains("fc1:0=true") && fromFlatten.contains("fc2:0=false"), fromFlatten);
        assertEquals("false", seen.getProperty("red.fc3->conv1"));
        assertEquals("true", seen.getProperty("red.unchanged"), "dropping on a red port changes nothing");
        assertTrue(seen.getProperty("red.status").startsWith("Not changed"), seen.getProperty("red.status"));
        // Ctrl+Z twice undid the output and the last edge; Ctrl+Y twice redid them
        assertEquals("null", seen.getProperty("undo.output"));
        assertEquals("11", seen.getProperty("undo.edges"));
        assertEquals("true", seen.getProperty("redo.same"));
        assertEquals("4 50 3 {lr=0.002} {classes=10, size=256}", seen.getProperty("training"));
        assertEquals("true", seen.getProperty("inspect.selected"));
        String[] pause = seen.getProperty("pause.steps").split(" ");
        assertEquals(pause[0], pause[1], "no step while paused");
        assertTrue(Integer.parseInt(pause[0]) >= 25 && Integer.parseInt(pause[0]) < 50, seen.getProperty("pause.steps"));
        assertTrue(seen.getProperty("inspect.text").startsWith("2-D convolution"), seen.getProperty("inspect.text"));
        assertTrue(seen.getProperty("metrics").startsWith("step 50 "), seen.getProperty("metrics"));
        assertEquals("50", seen.getProperty("chartSteps"));
        // 26 of the 256 examples held out (validation 0.1): 15 steps an epoch; evaluated at each epoch's end and at the end
        assertEquals("15 30 45 50", seen.getProperty("evaluations"));
        assertTrue(seen.getProperty("metrics").matches("step 50 .* held-out loss \\d+\\.\\d{4}, accuracy \\d+\\.\\d% .*"), seen.getProperty("metrics"));
        assertTrue(seen.getProperty("chartMetrics").matches("\\{val_loss=\\[15=[0-9.]+, 30=[0-9.]+, 45=[0-9.]+, 50=[0-9.]+], accuracy=\\[15=[0-9.]+, 30=.*, 50=[0-9.]+]}"),
                seen.getProperty("chartMetrics"));
        assertEquals("MLP|LeNet-5|ResNet basic block|Transformer encoder block|ResNet-18|MobileNetV2", seen.getProperty("templates"));
        assertEquals("true", seen.getProperty("saved"));
        assertEquals("true", seen.getProperty("reopened"));
        assertEquals("true", seen.getProperty("reopened.equal"));
        assertEquals("false", seen.getProperty("bad.opened"));
        assertEquals("true", seen.getProperty("bad.unchanged"));
        assertTrue(seen.getProperty("bad.error").contains("format_version 2"), seen.getProperty("bad.error"));
        assertEquals("true", seen.getProperty("exported"));

        List<Double> gui = Files.readAllLines(out.resolve("losses.txt")).stream().map(Double::parseDouble).toList();
        assertEquals(50, gui.size());
        for (double l : gui) assertTrue(Double.isFinite(l), gui.toString());
        assertTrue(gui.subList(45, 50).stream().mapToDouble(d -> d).average().orElseThrow() < gui.get(0), "the loss does not fall: " + gui);

        // the saved JSON is LeNet-5: the template's layers and parameter count, and it trains to the GUI's losses
        ModelSpec saved = ModelSpec.read(out.resolve("lenet.json"));
        ModelSpec lenet = Templates.load("LeNet-5");
        assertEquals(lenet.nodes().stream().map(ModelSpec.Node::type).toList(), saved.nodes().stream().map(ModelSpec.Node::type).toList());
        assertEquals(lenet.build().parameterCount(), saved.build().parameterCount());
        List<Double> fromJson = SpecTraining.train(saved, 50, null);
        assertClose(gui, fromJson, "the saved JSON");

        // the exported Java compiles and reproduces the losses step for step
        Path classes = Files.createTempDirectory(out, "classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-cp", cp, "-d", classes.toString(), out.resolve("LeNetBuilt.java").toString());
        assertEquals(0, rc, () -> err.toString());
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            @SuppressWarnings("unchecked")
            List<Double> exported = (List<Double>) loader.loadClass("LeNetBuilt").getMethod("train", int.class).invoke(null, 50);
            assertClose(gui, exported, "the exported Java");
        }
    }

    private static void assertClose(List<Double> want, List<Double> got, String what) {
        assertEquals(want.size(), got.size(), what);
        for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), got.get(i), 1e-6, what + " step " + (i + 1) + ": " + want + " vs " + got);
    }
}
