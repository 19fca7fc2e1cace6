package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.BackendException;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.testkit.ExecutableContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Creating and closing backends frees every Vulkan object; caches serve a restart; errors are typed and say why. */
@Tag("gpu")
class LifecycleTest {
    /** A small product on {@code gpu}: 42 when every step ran. */
    static float run(VulkanBackend gpu) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, Shape.symbolic("B", 3));
        Tensor w = b.parameter("w", Init.ones(), 3, 2);
        b.output("y", x.matmul(w).relu().sum());
        try (Executable e = gpu.compile(b.build())) {
            return (float) e.run(Map.of("x", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))).scalar("y");
        }
    }

    /**
     * 50 backends opened, used and closed in a fresh JVM ({@link LeakChild}) whose heap is fixed and touched from its start,
     * so the resident size moves with native memory only: it grows by less than 64 MiB from the tenth cycle to the last
     * (driver caches settle in the first ones), and every close frees every Vulkan object. The same child leaking 2 MiB a
     * cycle on purpose must be seen to grow by more, or the measure could not catch a leak. The child caches its kernels in
     * a directory of its own.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"clean, false", "leak, true"})
    void createAndClose50TimesLeaksNothing(String mode, boolean leaks, @TempDir Path cache) throws Exception {
        Gpu.open().close();   // skips (or fails on CI) without a device, like every gpu test
        // a cache of its own: each open reads the pipeline cache whole, which after a test run holds every kernel compiled
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED",
                "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-Djasg.cache.dir=" + cache, "-cp", ExitStatusTest.classPath(),
                LeakChild.class.getName(), mode));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child did not end: " + out);
        assertEquals(0, p.exitValue(), "the child failed:\n" + out);
        Matcher m = Pattern.compile("grown (-?\\d+) ").matcher(out);
        assertTrue(m.find(), "no growth in the child's output:\n" + out);
        long grown = Long.parseLong(m.group(1));
        if (leaks) assertTrue(grown >= 64L << 20, "a leak of 80 MiB was not seen: the resident size grew by " + grown / 1024 + " KiB");
        else assertTrue(grown < 64L << 20, "resident memory grew by " + grown / 1024 + " KiB over 40 backends:\n" + out);
    }

    @Test
    void foundByNameThroughTheServiceLoader() {
        Gpu.open().close();
        try (var b = Backends.create("vulkan")) {
            assertEquals("vulkan", b.name());
        }
    }

    @Test
    void aSecondStartCompilesNothing(@TempDir Path cache) {
        String old = System.getProperty("jasg.cache.dir");
        System.setProperty("jasg.cache.dir", cache.toString());
        try {
            ShaderCompiler.clearMemoryCache();
            try (VulkanBackend gpu = Gpu.open()) {
                run(gpu);
            }
            // two kernels: the product with its ReLU fused (issue 20), and the sum
            assertTrue(Files.list(cache.resolve("spirv")).count() >= 2, "SPIR-V written to the disk cache");
            assertTrue(Files.list(cache).anyMatch(p -> p.getFileName().toString().startsWith("pipelines-")), "pipeline cache saved");
            ShaderCompiler.clearMemoryCache();
            int compiles = ShaderCompiler.COMPILES.get();
            try (VulkanBackend gpu = Gpu.open()) {
                assertEquals(42f, run(gpu));
            }
            assertEquals(compiles, ShaderCompiler.COMPILES.get(), "shaders compiled again despite the disk cache");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } finally {
            if (old == null) System.clearProperty("jasg.cache.dir");
            else System.setProperty("jasg.cache.dir", old);
        }
    }

    @Test
    void tensorsBeyondTheStorageRangeAreRejectedByName() {
        try (VulkanBackend gpu = Gpu.open()) {
            long limit = gpu.device().maxStorageBufferRange;
            int n = (int) Math.min(Integer.MAX_VALUE - 16, limit / 4 + 1024);
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.input("x", DType.F32, 1);
            b.output("y", x.expand(n).mul(2).sum());
            try (Executable e = gpu.compile(b.build())) {
                BackendException ex = assertThrows(BackendException.class, () -> e.run(Map.of("x", HostTensor.of(new float[] {1}, 1))));
                assertTrue(ex.getMessage().contains("expand") && ex.getMessage().contains("maxStorageBufferRange"), ex.getMessage());
            }
        }
    }

    @Test
    void f64IsRejectedWithAClearMessage() {
        try (VulkanBackend gpu = Gpu.open()) {
            GraphBuilder b = new GraphBuilder();
            b.output("y", b.input("x", DType.F64, 2).exp());
            BackendException ex = assertThrows(BackendException.class, () -> gpu.compile(b.build()));
            assertTrue(ex.getMessage().contains("f64") && ex.getMessage().contains("node"), ex.getMessage());
        }
    }

    @Test
    void staleOutputsAndClosedExecutablesFailLoudly() {
        try (VulkanBackend gpu = Gpu.open()) {
            GraphBuilder b = new GraphBuilder();
            b.output("y", b.input("x", DType.F32, 2).neg());
            Executable e = gpu.compile(b.build());
            var first = e.run(Map.of("x", HostTensor.of(new float[] {1, 2}, 2)));
            e.run(Map.of("x", HostTensor.of(new float[] {3, 4}, 2)));
            assertThrows(IllegalStateException.class, () -> first.get("y"));
            e.close();
            assertThrows(IllegalStateException.class, () -> e.run(Map.of("x", HostTensor.of(new float[] {1, 2}, 2))));
        }
    }

    /** Feeds are checked on every run, also when the last plan runs again without binding them ({@code Program.rebinds}). */
    @Test
    void feedsAreCheckedOnEveryRun() {
        try (VulkanBackend gpu = Gpu.open()) {
            ExecutableContract.feedsAreCheckedOnEveryRun(gpu);
        }
    }

    /** {@code copyInto} reads an output straight from the device into the caller's array, allocating nothing of its size. */
    @Test
    void copyIntoReadsTheDeviceIntoTheCallersArray() {
        try (VulkanBackend gpu = Gpu.open()) {
            ExecutableContract.copyIntoReadsWhatGetReads(gpu, true);
        }
    }

    /**
     * Two threads run one executable with feeds that encode the thread and the iteration: each read
     * returns its own run's values or is refused as stale, as on every backend.
     */
    @Test
    void concurrentRunsReadTheirOwnOutputs() throws Exception {
        try (VulkanBackend gpu = Gpu.open()) {
            ExecutableContract.concurrentRunsReadTheirOwnOutputs(gpu, 2, 300, 1 << 12);
        }
    }
}
