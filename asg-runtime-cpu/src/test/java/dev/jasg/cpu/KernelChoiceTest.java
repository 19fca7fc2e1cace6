package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KernelChoice#choose}: given facts about a machine, the parameters it picks. The rows are the
 * CPU kinds the project runs on (and a few it may meet), so a change of a rule shows up as a changed row.
 */
class KernelChoiceTest {
    private static final long K = 1 << 10, M = 1 << 20;

    /** Facts, then the expected {mr, nr, kc, mc, nc, threads}. */
    private record Row(String machine, KernelChoice.Facts facts, int[] expected) {}

    private static KernelChoice.Facts facts(String arch, int bits, int cpus, long l1d, long l2, long l3, int l3SharedBy) {
        return new KernelChoice.Facts(arch, bits, cpus, 0, 0, 0, l1d, l2, l3, l3SharedBy, "test", false);
    }

    private static final Row[] ROWS = {
        // the Intel Xeon (Sapphire Rapids) of the GPU host under taskset -c 0,1: AVX-512, 48 KiB L1d, 2 MiB L2, a 105 MiB L3 of 112 CPUs
        new Row("xeon avx-512", facts("amd64", 512, 2, 48 * K, 2 * M, 105 * M, 112), new int[] {12, 32, 1024, 252, 512, 2}),
        // the AMD EPYC (Zen 3) build machine: AVX2, 32 KiB L1d, 512 KiB L2, 32 MiB L3 seen by 2 vCPUs; 4 rows, as 6 spill
        new Row("epyc zen3 avx2", facts("amd64", 256, 2, 32 * K, 512 * K, 32 * M, 2), new int[] {4, 16, 1024, 64, 512, 2}),
        // an AMD EPYC Zen 5: AVX-512, 48 KiB L1d, 1 MiB L2
        new Row("epyc zen5 avx-512", facts("amd64", 512, 2, 48 * K, 1 * M, 32 * M, 16), new int[] {12, 32, 1024, 120, 512, 2}),
        // nothing readable under /sys (macOS, Windows, a locked-down container): the 256 KiB L2 fallback (a shorter slice for AVX-512)
        new Row("avx2, no sysfs", facts("amd64", 256, 8, 0, 0, 0, 1), new int[] {4, 16, 1024, 32, 512, 8}),
        new Row("avx-512, no sysfs", facts("amd64", 512, 4, 0, 0, 0, 1), new int[] {12, 32, 256, 120, 2048, 4}),
        // AArch64 (Graviton, Apple): 128-bit NEON with 32 registers, broadcasts in registers: 8 rows (16 + 2 + 8 = 26 vectors)
        new Row("aarch64 neon", facts("aarch64", 128, 4, 64 * K, 1 * M, 32 * M, 64), new int[] {8, 8, 1024, 128, 512, 4}),
        // a laptop with a small L3 shared by 8 threads: the panel shrinks to half of one thread's share
        new Row("small l3", facts("amd64", 256, 8, 32 * K, 256 * K, 4 * M, 8), new int[] {4, 16, 1024, 32, 64, 8}),
        // the scalar kernels (no jdk.incubator.vector)
        new Row("scalar", facts("amd64", 0, 2, 32 * K, 512 * K, 32 * M, 2), new int[] {4, 16, 1024, 64, 512, 2}),
    };

    @Test
    void choosesFromTheFacts() {
        for (Row r : ROWS) {
            KernelChoice c = KernelChoice.choose(r.facts());
            int[] got = {c.mr(), c.nr(), c.kc(), c.mc(), c.nc(), c.threads()};
            assertEquals(java.util.Arrays.toString(r.expected()), java.util.Arrays.toString(got), r.machine() + ": " + c.describe());
        }
    }

    @Test
    void everyChoiceFitsItsMicroKernelAndBlocking() {
        for (Row r : ROWS) {
            KernelChoice c = KernelChoice.choose(r.facts());
            if (c.vectorBits() > 0) {
                assertTrue(KernelChoice.vectorsNeeded(r.facts().arch(), c.vectorBits(), c.mr()) <= c.registers(), r.machine() + ": tile exceeds the registers");
            }
            assertEquals(0, c.mc() % c.mr(), r.machine() + ": MC is whole tiles");
            assertEquals(0, c.nc() % c.nr(), r.machine() + ": NC is whole tiles");
            assertTrue(c.kc() >= KernelChoice.KC_MIN && c.kc() <= KernelChoice.KC_MAX, r.machine() + ": KC in bounds");
        }
    }

    @Test
    void threadsOverrideWins() {
        var f = new KernelChoice.Facts("amd64", 256, 16, 3, 0, 0, 32 * K, 512 * K, 32 * M, 16, "test", false);
        assertEquals(3, KernelChoice.choose(f).threads());
    }

    @Test
    void tileRowsOverrideTakesOnlyAnExistingTile() {
        int[][] cases = {{6, 6}, {12, 12}, {8, 8}, {4, 4}, {5, 4}, {0, 4}};
        for (int[] c : cases) {
            var f = new KernelChoice.Facts("amd64", 256, 2, 0, c[0], 0, 32 * K, 512 * K, 32 * M, 2, "test", false);
            assertEquals(c[1], KernelChoice.choose(f).mr(), "-Djasg.cpu.tileRows=" + c[0]);
        }
    }

    @Test
    void gathersUnlessTheCpuReportsThemMitigated() {
        // {vector bits, gathers mitigated, gather B^T}
        int[][] cases = {{512, 0, 1}, {512, 1, 0}, {256, 0, 1}, {256, 1, 0}, {0, 0, 0}};
        for (int[] c : cases) {
            var f = new KernelChoice.Facts("amd64", c[0], 2, 0, 0, 0, 48 * K, 2 * M, 0, 1, "test", c[1] == 1);
            KernelChoice k = KernelChoice.choose(f);
            assertEquals(c[2] == 1, k.gatherB(), c[0] + "-bit, mitigated " + (c[1] == 1) + ": " + k.describe());
        }
    }

    @Test
    void kcOverrideIsClampedAndMovesTheBlocking() {
        // {override, kc, mc} on the Zen 3 facts: MC follows the forced depth (half of the 512 KiB L2)
        int[][] cases = {{0, 1024, 64}, {256, 256, 256}, {384, 384, 168}, {64, 256, 256}, {4096, 1024, 64}};
        for (int[] c : cases) {
            var f = new KernelChoice.Facts("amd64", 256, 2, 0, 0, c[0], 32 * K, 512 * K, 32 * M, 2, "test", false);
            KernelChoice k = KernelChoice.choose(f);
            assertEquals(c[1] + "," + c[2], k.kc() + "," + k.mc(), "-Djasg.cpu.kc=" + c[0]);
        }
    }

    @Test
    void readsSysfsCacheDirectories(@TempDir Path dir) throws Exception {
        write(dir, 0, "1", "Data", "48K", "0");
        write(dir, 1, "1", "Instruction", "32K", "0");
        write(dir, 2, "2", "Unified", "2048K", "0");
        write(dir, 3, "3", "Unified", "107520K", "0-55,112-167");
        KernelChoice.Facts f = KernelChoice.caches(dir, "amd64", 512, 2, 0, 0, 0, false);
        assertEquals(48 * K, f.l1d());
        assertEquals(2 * M, f.l2());
        assertEquals(107520 * K, f.l3());
        assertEquals(112, f.l3SharedBy());
        assertEquals("sysfs", f.cacheSource());
    }

    @Test
    void missingSysfsFallsBack(@TempDir Path dir) {
        KernelChoice.Facts f = KernelChoice.caches(dir.resolve("absent"), "amd64", 256, 2, 0, 0, 0, false);
        assertEquals(0, f.l2());
        assertTrue(f.cacheSource().startsWith("fallback"), f.cacheSource());
        assertEquals(32, KernelChoice.choose(f).mc(), "the 256 KiB L2 fallback: a 32 x 1024 block of A in half of it");
    }

    /** Without sysfs cache entries, an AMD (or Hygon) CPU's L2 is /proc/cpuinfo's cache size; an Intel CPU's is not (its is the L3). */
    @Test
    void takesAnAmdL2FromProcCpuinfoWhereSysfsSaysNothing(@TempDir Path dir) {
        KernelChoice.Facts none = KernelChoice.caches(dir.resolve("absent"), "amd64", 512, 2, 0, 0, 0, false);
        String amd = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\ncache size\t: 1024 KB\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\ncache size\t: 512 KB\n";
        KernelChoice.Facts f = KernelChoice.withCpuinfo(none, amd);
        assertEquals(1 * M, f.l2());
        assertTrue(f.cacheSource().contains("/proc/cpuinfo"), f.cacheSource());
        KernelChoice c = KernelChoice.choose(f);
        assertEquals(1024, c.kc(), c.describe());
        assertEquals(120, c.mc(), c.describe());
        assertEquals(1 * M, KernelChoice.withCpuinfo(none, amd.replace("AuthenticAMD", "HygonGenuine")).l2());
        // Intel's cache size is the shared last level: not an L2
        assertEquals(0, KernelChoice.withCpuinfo(none, amd.replace("AuthenticAMD", "GenuineIntel")).l2());
        // no cache size (Arm), or nonsense: unchanged
        assertEquals(0, KernelChoice.withCpuinfo(none, "processor\t: 0\nBogoMIPS\t: 50.00\n").l2());
        assertEquals(0, KernelChoice.withCpuinfo(none, "vendor_id\t: AuthenticAMD\ncache size\t: lots\n").l2());
        // sysfs wins where it said something
        KernelChoice.Facts sys = facts("amd64", 512, 2, 48 * K, 2 * M, 32 * M, 16);
        assertEquals(2 * M, KernelChoice.withCpuinfo(sys, amd).l2());
    }

    @Test
    void parsesSizesAndCpuLists() {
        String[][] sizes = {{"32K", "32768"}, {"1M", "1048576"}, {"512", "512"}, {"", "-1"}, {"abcK", "-1"}};
        for (String[] s : sizes) assertEquals(Long.parseLong(s[1]), KernelChoice.parseSize(s[0]), s[0]);
        String[][] lists = {{"0", "1"}, {"0-1", "2"}, {"0-55,112-167", "112"}, {"", "1"}, {"x", "1"}};
        for (String[] l : lists) assertEquals(Integer.parseInt(l[1]), KernelChoice.cpuCount(l[0]), l[0]);
    }

    /** {@code -Djasg.cpu.mc} and {@code -Djasg.cpu.nc}: whole tiles, at least one; the rest of the choice as it was; 0 keeps it. */
    @Test
    void blockOverridesAreWholeTiles() {
        KernelChoice c = KernelChoice.choose(facts("amd64", 512, 2, 48 * K, 2 * M, 32 * M, 16));
        KernelChoice o = KernelChoice.blocking(c, 100, 300);
        assertEquals(96, o.mc());
        assertEquals(288, o.nc());
        assertEquals(c.mr(), o.mr());
        assertEquals(c.kc(), o.kc());
        assertEquals(c.threads(), o.threads());
        KernelChoice tiny = KernelChoice.blocking(c, 5, 7);
        assertEquals(c.mr(), tiny.mc());
        assertEquals(c.nr(), tiny.nc());
        assertEquals(c, KernelChoice.blocking(c, 0, 0));
    }

    @Test
    void thisMachinesChoiceIsWhatGemmUses() {
        KernelChoice c = KernelChoice.CHOSEN;
        assertEquals(c.mr(), Gemm.MR);
        assertEquals(c.nr(), Gemm.NR);
        assertEquals(c.kc(), Gemm.KC);
        assertEquals(c.threads(), CpuThreads.PARALLELISM);
        assertTrue(CpuBackend.kernels().contains(c.describe()), CpuBackend.kernels());
    }

    private static void write(Path dir, int i, String level, String type, String size, String shared) throws Exception {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
        Files.writeString(d.resolve("shared_cpu_list"), shared + "\n");
    }
}
