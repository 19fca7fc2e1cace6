package dev.jasg.gpu;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lwjgl.system.Platform;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A program that used the Vulkan backend ends with the status it chose (NVIDIA's headless driver
 * ended such processes with SIGSEGV, status 134, until {@link NvidiaExit}): each row runs
 * {@link ExitChild} in a fresh JVM to completion and checks its exit status and output.
 */
@Tag("gpu")
class ExitStatusTest {
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "return, '', 0",
            "open, '', 0",
            "exit, 3, 3",
    })
    void aVulkanProgramEndsWithItsOwnStatus(String how, String arg, int status) throws Exception {
        Gpu.open().close();   // skips (or fails on CI) without a device, like every gpu test
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath(), ExitChild.class.getName(), how));
        if (!arg.isEmpty()) cmd.add(arg);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not end: " + out);
        assertTrue(out.contains("\nsum ") || out.startsWith("sum "), "child did not finish its work:\n" + out);
        assertEquals(status, p.exitValue(), "exit status of a Vulkan program ending by '" + how + " " + arg + "':\n" + out);
    }

    @ParameterizedTest(name = "vendor {0}, {1}, property {2} -> {3}")
    @CsvSource({
            "4318, LINUX, , true",          // 0x10DE: NVIDIA
            "4318, LINUX, true, true",
            "4318, LINUX, false, false",
            "4318, LINUX, FALSE, false",
            "4318, WINDOWS, , false",
            "65541, LINUX, , false",         // 0x10005: Mesa (lavapipe)
            "4098, LINUX, , false",          // 0x1002: AMD
    })
    void theExitWorkaroundAppliesToNvidiaOnLinuxUnlessTurnedOff(int vendor, Platform platform, String property, boolean applies) {
        assertEquals(applies, NvidiaExit.applies(vendor, property, platform));
    }

    /** The class path of this JVM's test class loader (the JUnit console launcher adds one of its own). */
    static String classPath() {
        Set<String> parts = new LinkedHashSet<>();
        for (ClassLoader l = ExitStatusTest.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    try {
                        parts.add(Path.of(url.toURI()).toString());
                    } catch (Exception e) {
                        throw new IllegalStateException("class path entry " + url, e);
                    }
                }
            }
        }
        for (String s : System.getProperty("java.class.path").split(File.pathSeparator)) if (!s.isEmpty()) parts.add(s);
        return String.join(File.pathSeparator, parts);
    }
}
