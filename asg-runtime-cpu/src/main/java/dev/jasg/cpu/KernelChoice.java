package dev.jasg.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU kernels' machine-dependent parameters, computed in this one place from what the JVM and the
 * OS report ({@link Facts}), never from a table of machines: the GEMM micro-kernel's register tile,
 * its cache blocking and the number of kernel threads. {@link #choose} is a pure function of the facts
 * (table-tested in {@code KernelChoiceTest}); {@link #CHOSEN} is its value for this JVM, logged once at
 * debug level and shown by {@link CpuBackend#kernels()}.
 *
 * <p>The rules, each from the fact it derives from:
 * <ul>
 *   <li><b>Register tile</b> {@code MR x NR}: {@code NR} is two vectors of the preferred species, so a
 *       step of the micro-kernel loads two vectors of B, broadcasts {@code MR} elements of A and keeps
 *       {@code 2 MR} accumulators; {@code MR} is the tallest unrolled tile ({@link #TILE_HEIGHTS}) whose
 *       step fits the vector register file ({@link #vectorsNeeded}): 32 registers on AVX-512 and on
 *       AArch64 (NEON, SVE), 16 on AVX2 and elsewhere. A broadcast is counted as a register of its own
 *       except on AVX-512, whose FMA can read it from memory (embedded broadcast). The count is what C2
 *       does with the step: on AVX2 (Zen 3, disassembled from {@code -XX:CompileCommand=print}) a 4 x 16
 *       step issues its 4 broadcasts and 2 loads, then its 8 FMAs, all in registers (14 vectors); a 6 x 16
 *       step keeps up to 3 broadcasts live beside 12 accumulators and 2 B vectors, one register too many,
 *       and C2 keeps one accumulator on the stack (a store and a reload every step, on the FMA's dependency
 *       chain): in L1, 37 GFLOPS per CPU-second against 84 for 4 x 16 (5 x 16 and 3 x 24, which fit, ran
 *       the same as 4 x 16). On AVX-512, if C2 keeps the broadcasts in registers too, 12 x 32 needs about
 *       24 + 2 + 3 = 29 of 32; {@code -Djasg.cpu.tileRows=8} measures 8 x 32, which fits with room to
 *       spare. So 12 x 32 on AVX-512, 4 x 16 on AVX2, 8 x 8 on NEON (16 + 2 + 8). Without the Vector
 *       API: 4 x 16 scalar.</li>
 *   <li><b>Depth of a packed slice</b> {@code KC}: as long as a block of A eight tiles tall fits in half
 *       of L2, between 256 and 1024. Long, unlike BLIS's L1-sized slices, because on the JVM every tile
 *       call loads and stores its accumulators and checks its bounds, so a slice's fixed cost is higher:
 *       on a Zen 5 core the micro-kernel ran 1024^3 at 190 GFLOPS with a depth of 1024 against 160 at
 *       256, the B strip streaming from L2 without loss.</li>
 *   <li><b>Rows of a packed block of A</b> {@code MC}: the most whole tiles whose {@code MC x KC} block
 *       takes half of L2 (the other half holds the streaming strip of B and the tile of C).</li>
 *   <li><b>Columns of a packed panel of B</b> {@code NC}: the {@code KC x NC} panel takes at most half of
 *       the L3 share of one of our threads ({@code L3 / min(threads, processors sharing it)}), and at most {@link #PANEL_BYTES_MAX} (every thread keeps its panel's
 *       buffer: memory, measured 2% of speed from 512 to 2048 columns, is the better use).</li>
 *   <li><b>Threads</b>: one per processor the JVM may use ({@link Runtime#availableProcessors()}, which
 *       follows {@code taskset} and container quotas), or {@code -Djasg.cpu.threads=N}.</li>
 * </ul>
 * {@code -Djasg.cpu.tileRows=4|6|8|12} forces a tile height and {@code -Djasg.cpu.kc=N} a slice depth, to measure a
 * machine's alternatives ({@code benchmarks/.../GemmProbe}), not for tuning; {@code -Djasg.cpu.vectorBits=128|256|512}
 * runs the GEMM micro-kernel on another vector width, to check a path's results on a machine without it.

 *
 * <p>Cache sizes come from {@code /sys/devices/system/cpu/cpu0/cache/index*} (Linux). Where that says nothing (some
 * virtual machines: Firecracker guests have no {@code cache} directory), the L2 of an AMD or Hygon CPU is
 * {@code /proc/cpuinfo}'s {@code cache size}, which Linux fills from CPUID leaf {@code 0x80000006} (the L2 of
 * one core) for those vendors and from the last level for Intel's, so it is read for the former only
 * ({@link #withCpuinfo}). What is still unknown falls back to {@link #FALLBACK_L1D} and {@link #FALLBACK_L2}, the
 * smallest of current x86 and Arm server cores, and no L3 (the panel is then bounded by memory alone). On a
 * 2-vCPU Zen 5 guest without {@code /sys} cache entries the 256 KiB fallback had cut the slice to 256 (1 MiB
 * read from {@code /proc/cpuinfo}: 1024), and {@code GemmProbe}'s 1024 x 1024 block of one thread ran at
 * 192 against 216 GFLOPS.
 *
 * <p>Immutable, so thread-safe.
 *
 * @param mr         rows of the micro-kernel's tile
 * @param nr         columns of the micro-kernel's tile
 * @param kc         depth of a packed slice
 * @param mc         rows of a packed block of A on one thread
 * @param nc         columns of a packed panel of B on one thread
 * @param threads    kernel threads, the caller's included
 * @param vectorBits the preferred vector's width, 0 when the scalar kernels run
 * @param registers  vector registers assumed for the tile, 0 for the scalar kernels
 * @param facts      what the choice was made from
 */
record KernelChoice(int mr, int nr, int kc, int mc, int nc, int threads, int vectorBits, int registers, Facts facts) {
    private static final Logger LOG = LoggerFactory.getLogger(KernelChoice.class);

    /** Tile heights the Vector API micro-kernel has an unrolled method for ({@link VectorGemmKernel}), tallest first. */
    static final int[] TILE_HEIGHTS = {12, 8, 6, 4};
    /** L1 data cache assumed where {@code /sys} says nothing: 32 KiB, every x86 core since 2011 and most Arm server cores. */
    static final long FALLBACK_L1D = 32 << 10;
    /** L2 assumed where {@code /sys} says nothing: 256 KiB, the smallest per-core L2 of current x86 and Arm server cores. */
    static final long FALLBACK_L2 = 256 << 10;
    /** Most bytes of one thread's packed panel of B (the serial product's buffer). */
    static final long PANEL_BYTES_MAX = 2 << 20;
    /** Bounds of {@link #kc}: the measured fixed cost of a slice (see the class comment) below, a full L2 above. */
    static final int KC_MIN = 256, KC_MAX = 1024;
    /** Tiles of A the {@code KC} rule keeps in half of L2. */
    static final int KC_TILES = 8;

    /** The choice for this JVM. */
    static final KernelChoice CHOSEN = detect();

    /**
     * What the choice is made from.
     *
     * @param arch       {@code os.arch}
     * @param vectorBits the Vector API's preferred species width in bits; 0 when the Vector API is not in use
     * @param processors {@link Runtime#availableProcessors()}
     * @param threadsOverride {@code -Djasg.cpu.threads}, or 0
     * @param tileRowsOverride {@code -Djasg.cpu.tileRows} (one of {@link #TILE_HEIGHTS}, to measure another tile), or 0
     * @param kcOverride {@code -Djasg.cpu.kc} (a slice depth within {@link #KC_MIN}..{@link #KC_MAX}, to measure another), or 0
     * @param l1d        L1 data cache of one core in bytes, 0 when unknown
     * @param l2         L2 of one core in bytes, 0 when unknown
     * @param l3         the last-level cache in bytes, 0 when unknown or absent
     * @param l3SharedBy logical processors sharing that L3 (at least 1)
     * @param cacheSource where the cache sizes came from, for the log
     * @param slowGather  whether the OS reports a microcode mitigation of gather data sampling (Intel's "Downfall"),
     *                    which makes vector gathers several times slower
     */
    record Facts(String arch, int vectorBits, int processors, int threadsOverride, int tileRowsOverride, int kcOverride, long l1d, long l2, long l3,
                 int l3SharedBy, String cacheSource, boolean slowGather) {}

    /** Parameters for {@code facts}: the rules of the class comment, nothing else. */
    static KernelChoice choose(Facts f) {
        int vector = f.vectorBits();
        int mr, nr, registers;
        if (vector <= 0) {
            // the scalar tile: 16 columns the JIT can vectorise with whatever it has, 4 rows of them
            mr = 4;
            nr = 16;
            registers = 0;
        } else {
            registers = vectorRegisters(f.arch(), vector);
            nr = 2 * (vector / Float.SIZE);
            mr = TILE_HEIGHTS[TILE_HEIGHTS.length - 1];
            for (int h : TILE_HEIGHTS) {
                if (vectorsNeeded(f.arch(), vector, h) <= registers) {
                    mr = h;
                    break;
                }
            }
            for (int h : TILE_HEIGHTS) if (h == f.tileRowsOverride()) mr = h;
        }
        long l2 = f.l2() > 0 ? f.l2() : FALLBACK_L2;
        int kc = (int) Math.clamp(Long.highestOneBit(l2 / 2 / (Float.BYTES * (long) KC_TILES * mr)), KC_MIN, KC_MAX);
        if (f.kcOverride() > 0) kc = Math.clamp(f.kcOverride(), KC_MIN, KC_MAX);
        int mc = (int) Math.max(mr, l2 / 2 / ((long) Float.BYTES * kc) / mr * mr);
        long panelBytes = PANEL_BYTES_MAX;
        int threads = f.threadsOverride() > 0 ? f.threadsOverride() : Math.max(1, f.processors());
        // the L3 is shared with the other threads of ours on it (other processes' use is unknowable)
        if (f.l3() > 0) panelBytes = Math.min(panelBytes, f.l3() / Math.clamp(threads, 1, f.l3SharedBy()) / 2);
        int nc = (int) Math.max(nr, panelBytes / ((long) Float.BYTES * kc) / nr * nr);
        return new KernelChoice(mr, nr, kc, mc, nc, threads, Math.max(0, vector), registers, f);
    }

    /**
     * {@code c} with its block of rows {@code mc} and panel of columns {@code nc} replaced where the overrides are positive
     * ({@code -Djasg.cpu.mc}, {@code -Djasg.cpu.nc}, to measure other blockings on a machine, as {@code -Djasg.cpu.kc} does
     * the slice depth), rounded down to whole tiles (at least one).
     */
    static KernelChoice blocking(KernelChoice c, int mcOverride, int ncOverride) {
        int mc = mcOverride > 0 ? Math.max(c.mr(), mcOverride / c.mr() * c.mr()) : c.mc();
        int nc = ncOverride > 0 ? Math.max(c.nr(), ncOverride / c.nr() * c.nr()) : c.nc();
        return new KernelChoice(c.mr(), c.nr(), c.kc(), mc, nc, c.threads(), c.vectorBits(), c.registers(), c.facts());
    }

    /**
     * Vector registers one step of an {@code mr}-row tile keeps live: {@code 2 mr} accumulators and two vectors of
     * B, plus the step's {@code mr} broadcasts of A unless the FMA takes its broadcast from memory (x86 AVX-512).
     */
    static int vectorsNeeded(String arch, int vectorBits, int mr) {
        return 2 * mr + 2 + (embeddedBroadcast(arch, vectorBits) ? 0 : mr);
    }

    /** Whether an FMA can read a broadcast operand straight from memory: AVX-512's {@code {1toN}} form. */
    static boolean embeddedBroadcast(String arch, int vectorBits) {
        String a = arch.toLowerCase(Locale.ROOT);
        return (a.equals("amd64") || a.equals("x86_64")) && vectorBits >= 512;
    }

    /**
     * Vector registers the tile may use: AVX-512 has 32 (zmm0-31) and so do AArch64's NEON and SVE; AVX2
     * has 16 (ymm0-15), and 16 is assumed for any other architecture.
     */
    static int vectorRegisters(String arch, int vectorBits) {
        String a = arch.toLowerCase(Locale.ROOT);
        if (a.equals("aarch64") || a.equals("arm64")) return 32;
        if ((a.equals("amd64") || a.equals("x86_64")) && vectorBits >= 512) return 32;
        return 16;
    }

    /** The last-level cache assumed where the OS says nothing of it: 32 MiB, one CCD's L3 of current AMD server parts. */
    static final long FALLBACK_L3 = 32 << 20;

    /**
     * Bytes of an operand above which it is taken to stream from memory rather than from cache (Gemm's staged packing of
     * a transposed B): the last-level cache, or {@link #FALLBACK_L3} where unknown.
     */
    long cacheBytes() {
        return facts.l3() > 0 ? facts.l3() : FALLBACK_L3;
    }

    /** Input and output channels from which a 3x3 stride-1 convolution may run {@link WinogradConv}. */
    static final int WINOGRAD_CHANNELS_MIN = 16;

    /**
     * Whether a 3x3, stride-1, dilation-1, one-group forward convolution with {@code cin} input and {@code cout} output
     * channels and {@code tiles} 4 x 4 output blocks over the batch (the output plane and the batch in one number) runs {@link WinogradConv}
     * rather than the GEMM lowering: with the Vector API (its products run on the packed micro-kernel, whose scalar
     * twin would not pay for the transforms), at least {@link #WINOGRAD_CHANNELS_MIN} channels each way (the transforms
     * cost per channel what 36 multiply-adds per output channel have to outweigh) and at least one full strip of
     * {@link #nr} tiles: the products run a strip of {@code nr} tiles at a time, so fewer tiles pay for empty columns.
     * Measured by {@code WinogradProbe} (one thread, CPU time, 2-vCPU AMD EPYC with AVX-512, {@code nr} 32, 2026-12-03,
     * Winograd / GEMM-lowering speed): resnet18's 3x3 layers at batch 8 2.0 (64 channels, 56 x 56) to 2.4 (128, 28 x 28);
     * at batch 1 1.4 (64, 56 x 56), 2.3 (128, 28 x 28), 1.07 (256, 14 x 14: 16 tiles, half a strip, left out) and 0.33
     * (512, 7 x 7: 4 tiles); 16 channels 1.4-1.75.
     */
    boolean winograd(int cin, int cout, long tiles) {
        return vectorBits > 0 && cin >= WINOGRAD_CHANNELS_MIN && cout >= WINOGRAD_CHANNELS_MIN && tiles >= nr;
    }

    /**
     * Whether a full strip of a transposed B is packed with vector gathers ({@link VectorGemmKernel#gatherSteps}, 1.5x
     * the scalar loop on Zen 3) rather than the scalar loop: with the Vector API, unless the OS reports gathers
     * slowed by a microcode mitigation ({@code /sys/devices/system/cpu/vulnerabilities/gather_data_sampling}).
     */
    boolean gatherB() {
        return vectorBits > 0 && !facts.slowGather();
    }

    /** One line for logs and benchmark headers, e.g. {@code vector 4x16 tiles of 256-bit vectors (16 registers), KC 1024, MC 64, NC 512; L1d 32 KiB, L2 512 KiB, L3 32 MiB/2 (sysfs); 2 threads}. */
    String describe() {
        String tile = vectorBits > 0
                ? "vector " + mr + "x" + nr + " tiles of " + vectorBits + "-bit vectors (" + registers + " registers)"
                : "scalar " + mr + "x" + nr + " tiles";
        Facts f = facts;
        return tile + ", KC " + kc + ", MC " + mc + ", NC " + nc + "; L1d " + size(f.l1d()) + ", L2 " + size(f.l2()) + ", L3 "
                + size(f.l3()) + (f.l3() > 0 ? "/" + f.l3SharedBy() : "") + " (" + f.cacheSource() + "); " + threads + " threads"
                + (vectorBits >= 512 ? "; B^T packed by 16x16 register transposes"
                        : vectorBits > 0 && !gatherB() ? "; gathers mitigated, B^T packed by scalar loop" : "");
    }

    private static String size(long bytes) {
        if (bytes <= 0) return "?";
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    /** The facts of this JVM and machine, then the choice, logged. */
    private static KernelChoice detect() {
        int vectorBits = Simd.ENABLED ? VectorWidth.preferredBits() : 0;
        // -Djasg.cpu.vectorBits=512 runs the micro-kernel on another species (on a machine without it, the Vector
        // API's Java fallback: very slow, for checking the AVX-512 path's results on an AVX2 machine, not for speed)
        int forced = Integer.getInteger("jasg.cpu.vectorBits", 0);
        if (vectorBits > 0 && (forced == 128 || forced == 256 || forced == 512)) vectorBits = forced;
        Facts f = caches(Path.of("/sys/devices/system/cpu/cpu0/cache"), System.getProperty("os.arch", ""), vectorBits,
                Runtime.getRuntime().availableProcessors(), Integer.getInteger("jasg.cpu.threads", 0), Integer.getInteger("jasg.cpu.tileRows", 0),
                Integer.getInteger("jasg.cpu.kc", 0),
                readOr(Path.of("/sys/devices/system/cpu/vulnerabilities/gather_data_sampling"), "").startsWith("Mitigation"));
        f = withCpuinfo(f, readOr(Path.of("/proc/cpuinfo"), ""));
        KernelChoice c = blocking(choose(f), Integer.getInteger("jasg.cpu.mc", 0), Integer.getInteger("jasg.cpu.nc", 0));
        LOG.debug("jasg cpu: kernels {}", c.describe());
        return c;
    }

    /**
     * Facts with the cache sizes read from a sysfs cache directory ({@code index*}/{@code level},
     * {@code type}, {@code size}, {@code shared_cpu_list}); unreadable entries leave a size 0 (unknown).
     */
    static Facts caches(Path dir, String arch, int vectorBits, int processors, int threadsOverride, int tileRowsOverride, int kcOverride,
                        boolean slowGather) {
        long l1d = 0, l2 = 0, l3 = 0;
        int shared = 1;
        boolean any = false;
        for (int i = 0; i < 8; i++) {
            Path index = dir.resolve("index" + i);
            if (!Files.isDirectory(index)) continue;
            try {
                int level = Integer.parseInt(Files.readString(index.resolve("level")).trim());
                String type = Files.readString(index.resolve("type")).trim();
                long size = parseSize(Files.readString(index.resolve("size")).trim());
                if (type.equals("Instruction") || size <= 0) continue;
                any = true;
                switch (level) {
                    case 1 -> l1d = size;
                    case 2 -> l2 = size;
                    case 3 -> {
                        l3 = size;
                        shared = cpuCount(readOr(index.resolve("shared_cpu_list"), ""));
                    }
                    default -> { }
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable or odd entry: that level stays unknown and its fallback applies
            }
        }
        return new Facts(arch, vectorBits, processors, threadsOverride, tileRowsOverride, kcOverride, l1d, l2, l3, Math.max(1, shared),
                any ? "sysfs" : "fallback: no " + dir, slowGather);
    }

    /**
     * {@code f} with its L2 taken from the text of {@code /proc/cpuinfo} when sysfs gave none and the first processor's
     * {@code vendor_id} is {@code AuthenticAMD} or {@code HygonGenuine}: Linux's {@code cache size} is then the L2 of
     * one core (for Intel it is the last level, shared, and is not used). Otherwise {@code f} unchanged.
     */
    static Facts withCpuinfo(Facts f, String cpuinfo) {
        if (f.l2() > 0) return f;
        String vendor = null, size = null;
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                if (vendor != null || size != null) break; // the end of the first processor's block
                continue;
            }
            String key = line.substring(0, colon).trim(), value = line.substring(colon + 1).trim();
            if (key.equals("vendor_id") && vendor == null) vendor = value;
            else if (key.equals("cache size") && size == null) size = value;
        }
        if (size == null || !("AuthenticAMD".equals(vendor) || "HygonGenuine".equals(vendor))) return f;
        // "1024 KB"
        long l2 = parseSize(size.replace(" ", "").replace("KB", "K").replace("MB", "M"));
        if (l2 <= 0) return f;
        return new Facts(f.arch(), f.vectorBits(), f.processors(), f.threadsOverride(), f.tileRowsOverride(), f.kcOverride(), f.l1d(), l2,
                f.l3(), f.l3SharedBy(), f.cacheSource() + "; L2 from /proc/cpuinfo (" + vendor + ")", f.slowGather());
    }

    private static String readOr(Path p, String otherwise) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return otherwise;
        }
    }

    /** {@code 32K}, {@code 1024K}, {@code 2M} or plain bytes to bytes; -1 when unparseable. */
    static long parseSize(String s) {
        if (s.isEmpty()) return -1;
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = switch (unit) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        String digits = scale == 1 ? s : s.substring(0, s.length() - 1);
        try {
            return Long.parseLong(digits.trim()) * scale;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Processors in a sysfs CPU list such as {@code 0-3,8-11}; 1 when empty or unparseable. */
    static int cpuCount(String list) {
        int n = 0;
        try {
            for (String part : list.split(",")) {
                part = part.trim();
                if (part.isEmpty()) continue;
                int dash = part.indexOf('-');
                n += dash < 0 ? 1 : Integer.parseInt(part.substring(dash + 1)) - Integer.parseInt(part.substring(0, dash)) + 1;
            }
        } catch (NumberFormatException e) {
            return 1;
        }
        return Math.max(1, n);
    }
}
