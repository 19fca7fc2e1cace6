package dev.jasg.opencl;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creating and closing backends frees every OpenCL object; the program caches serve a restart and survive corruption; errors are typed. */
@Tag("opencl")
class LifecycleTest {
    private static float run(OpenClBackend ocl) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, Shape.symbolic("B", 3));
        Tensor w = b.parameter("w", Init.ones(), 3, 2);
        b.output("y", x.matmul(w).relu().sum());
        try (Executable e = ocl.compile(b.build())) {
            return (float) e.run(Map.of("x", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))).scalar("y");
        }
    }

    @Test
    void createAndClose30TimesLeaksNothing() {
        // warm-up cycles first: the driver's first contexts and the JVM's first heap pages raise the resident size once
        for (int i = 0; i < 5; i++) {
            try (OpenClBackend warm = Ocl.open()) {
                assertEquals(42f, run(warm));
            }
        }
        int before = ClDevice.LIVE_OBJECTS.get();
        System.gc();
        long rssBefore = rss();
        for (int i = 0; i < 30; i++) {
            OpenClBackend ocl = Ocl.open();
            ocl.newParameters(1);
            assertEquals(42f, run(ocl));
            assertTrue(ClDevice.LIVE_OBJECTS.get() > before, "objects are counted while the backend is open");
            ocl.close();
            assertEquals(before, ClDevice.LIVE_OBJECTS.get(), "live OpenCL objects after close #" + i);
        }
        System.gc();
        long grown = rss() - rssBefore;
        assertTrue(grown < 64L << 20, "resident memory grew by " + grown / 1024 + " KiB over 30 backends");
    }

    private static long rss() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    @Test
    void foundByNameThroughTheServiceLoader() {
        Ocl.open().close();
        try (var b = Backends.create("opencl")) {
            assertEquals("opencl", b.name());
            assertTrue(b instanceof OpenClBackend o && !o.deviceName().isEmpty());
        }
    }

    @Test
    void aSecondStartBuildsNothingAndACorruptEntryIsRebuilt(@TempDir Path cache) throws IOException {
        String old = System.getProperty("jasg.cache.dir");
        System.setProperty("jasg.cache.dir", cache.toString());
        try {
            Programs.clearMemoryCache();
            try (OpenClBackend ocl = Ocl.open()) {
                assertEquals(42f, run(ocl));
            }
            List<Path> entries;
            try (Stream<Path> s = Files.list(cache.resolve("opencl"))) {
                entries = s.filter(p -> p.toString().endsWith(".bin")).toList();
            }
            assertTrue(entries.size() >= 2, "program binaries written to the disk cache: " + entries);
            Programs.clearMemoryCache();
            int builds = Programs.SOURCE_BUILDS.get();
            try (OpenClBackend ocl = Ocl.open()) {
                assertEquals(42f, run(ocl));
            }
            assertEquals(builds, Programs.SOURCE_BUILDS.get(), "programs built again despite the disk cache");

            for (Path p : entries) Files.write(p, new byte[] {1, 2, 3, 4, 5});
            Programs.clearMemoryCache();
            try (OpenClBackend ocl = Ocl.open()) {
                assertEquals(42f, run(ocl));
            }
            assertEquals(builds + entries.size(), Programs.SOURCE_BUILDS.get(), "corrupt entries are rebuilt from source");
            for (Path p : entries) assertTrue(Files.size(p) > 5, "the rebuilt binary replaced the corrupt entry " + p);
        } finally {
            Programs.clearMemoryCache();
            if (old == null) System.clearProperty("jasg.cache.dir");
            else System.setProperty("jasg.cache.dir", old);
        }
    }

    @Test
    void f64IsRejectedWithAClearMessage() {
        try (OpenClBackend ocl = Ocl.open()) {
            GraphBuilder b = new GraphBuilder();
            b.output("y", b.input("x", DType.F64, 2).exp());
            BackendException ex = assertThrows(BackendException.class, () -> ocl.compile(b.build()));
            assertTrue(ex.getMessage().contains("f64") && ex.getMessage().contains("node"), ex.getMessage());
        }
    }

    @Test
    void staleOutputsAndClosedExecutablesFailLoudly() {
        try (OpenClBackend ocl = Ocl.open()) {
            GraphBuilder b = new GraphBuilder();
            b.output("y", b.input("x", DType.F32, 2).neg());
            Executable e = ocl.compile(b.build());
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
        try (OpenClBackend ocl = Ocl.open()) {
            ExecutableContract.feedsAreCheckedOnEveryRun(ocl);
        }
    }

    /** {@code copyInto} reads an output straight from the device into the caller's array, allocating nothing of its size. */
    @Test
    void copyIntoReadsTheDeviceIntoTheCallersArray() {
        try (OpenClBackend ocl = Ocl.open()) {
            ExecutableContract.copyIntoReadsWhatGetReads(ocl, true);
        }
    }

    /** Two threads run one executable: each read returns its own run's values or is refused as stale, as on every backend. */
    @Test
    void concurrentRunsReadTheirOwnOutputs() throws Exception {
        try (OpenClBackend ocl = Ocl.open()) {
            ExecutableContract.concurrentRunsReadTheirOwnOutputs(ocl, 2, 200, 1 << 12);
        }
    }
}
