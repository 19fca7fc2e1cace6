package dev.jasg.opencl;

import static org.jocl.CL.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenCL C programs of one device, built once per backend from the {@code .cl} resources ({@link #FILES},
 * each with {@code common.h} prepended) and cached: program binaries in memory for this JVM and on disk under
 * {@code <cache>/opencl} (see {@link #cacheDirectory()}), keyed by a hash of the platform, device, driver
 * version, build options and source, so a second start compiles nothing. A cache entry the driver rejects is
 * deleted and rebuilt from source. {@code #line} directives make a build error name the {@code .cl} file and
 * line. Not thread-safe: the backend serialises its use.
 */
final class Programs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Programs.class);
    /** Every program of the backend, as resources under {@code dev/jasg/opencl/}. */
    static final List<String> FILES = List.of("elementwise.cl", "reduce.cl", "layers.cl", "matmul.cl", "attention.cl");
    /** Build options of every program: OpenCL C 1.2, full-precision math (no relaxed or fast math). */
    static final String OPTIONS = "-cl-std=CL1.2";
    private static final Map<String, byte[]> MEMORY = new ConcurrentHashMap<>();
    /** Builds from source in this JVM; tests use it to check the caches. */
    static final AtomicInteger SOURCE_BUILDS = new AtomicInteger();

    private final ClDevice dev;
    private final Map<String, cl_program> programs = new HashMap<>();
    private boolean closed;

    Programs(ClDevice dev) {
        this.dev = dev;
    }

    /** The cache root: system property {@code jasg.cache.dir}, else {@code $XDG_CACHE_HOME/jasg}, else {@code ~/.cache/jasg}. */
    static Path cacheDirectory() {
        String p = System.getProperty("jasg.cache.dir");
        if (p != null && !p.isBlank()) return Path.of(p);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "jasg");
        return Path.of(System.getProperty("user.home"), ".cache", "jasg");
    }

    /** The source of {@code file} as built: {@code common.h}, then the file, each under its own {@code #line} directive. */
    static String source(String file) {
        return source(file, resource(file));
    }

    static String source(String file, String body) {
        return "#line 1 \"common.h\"\n" + resource("common.h") + "\n#line 1 \"" + file + "\"\n" + body;
    }

    /**
     * Builds {@code body} as if it were the resource {@code file}, from source and uncached, and releases it: the check
     * that a {@code .cl} file builds (tests), throwing {@link KernelBuildException} with the log when it does not.
     */
    void check(String file, String body, String defines) {
        String options = defines.isEmpty() ? OPTIONS : OPTIONS + " " + defines;
        cl_program p = build(file, options, source(file, body));
        clReleaseProgram(p);
        ClDevice.LIVE_OBJECTS.decrementAndGet();
    }

    static String resource(String file) {
        try (InputStream in = Programs.class.getResourceAsStream(file)) {
            if (in == null) throw new IllegalStateException("OpenCL source " + file + " is missing from the jar (dev/jasg/opencl/" + file + ")");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read OpenCL source " + file, e);
        }
    }

    /** A new kernel {@code name} of {@code file} built with extra {@code defines} (e.g. {@code -DBM=64}); the caller releases it. */
    cl_kernel kernel(String file, String defines, String name) {
        cl_program p = program(file, defines);
        cl_kernel k;
        try {
            k = clCreateKernel(p, name, null);
        } catch (CLException e) {
            throw new KernelBuildException("OpenCL program " + file + " has no kernel '" + name + "' on '" + dev.name + "': " + e.getMessage(), e);
        }
        ClDevice.LIVE_OBJECTS.incrementAndGet();
        return k;
    }

    static void release(cl_kernel k) {
        clReleaseKernel(k);
        ClDevice.LIVE_OBJECTS.decrementAndGet();
    }

    /** Number of programs built or loaded by this backend. */
    int size() {
        return programs.size();
    }

    /** The program of {@code file} with {@code defines}, built on first use. */
    cl_program program(String file, String defines) {
        if (closed) throw new IllegalStateException("the OpenCL programs are closed");
        String options = defines.isEmpty() ? OPTIONS : OPTIONS + " " + defines;
        String id = file + " " + options;
        cl_program p = programs.get(id);
        if (p != null) return p;
        String src = source(file);
        String key = sha256(dev.platformName + "\n" + dev.name + "\n" + dev.driverVersion + "\n" + dev.deviceVersion + "\n" + options + "\n" + src);
        p = fromBinary(file, key, options);
        if (p == null) p = fromSource(file, key, options, src);
        programs.put(id, p);
        return p;
    }

    private cl_program fromBinary(String file, String key, String options) {
        Path path = cacheDirectory().resolve("opencl").resolve(key + ".bin");
        byte[] bin = MEMORY.get(key);
        boolean disk = false;
        if (bin == null) {
            try {
                if (!Files.isRegularFile(path)) return null;
                bin = Files.readAllBytes(path);
                disk = true;
            } catch (IOException e) {
                LOG.warn("cannot read the OpenCL program cache {}: {}", path, e.toString());
                return null;
            }
        }
        cl_program p = null;
        try {
            int[] status = new int[1];
            p = clCreateProgramWithBinary(dev.context, 1, new cl_device_id[] {dev.device}, new long[] {bin.length}, new byte[][] {bin}, status, null);
            ClDevice.LIVE_OBJECTS.incrementAndGet();
            if (status[0] != CL_SUCCESS) throw new CLException("binary status " + stringFor_errorCode(status[0]), status[0]);
            clBuildProgram(p, 0, null, options, null, null);
            MEMORY.put(key, bin);
            LOG.debug("OpenCL program {} loaded from the {} cache", file, disk ? "disk" : "memory");
            return p;
        } catch (CLException | IllegalArgumentException e) {
            // a corrupt entry, or one another driver wrote: drop it and build from source
            LOG.info("ignoring the cached OpenCL binary of {} ({}): {}", file, path, e.getMessage());
            if (p != null) {
                clReleaseProgram(p);
                ClDevice.LIVE_OBJECTS.decrementAndGet();
            }
            MEMORY.remove(key);
            try {
                Files.deleteIfExists(path);
            } catch (IOException io) {
                LOG.debug("cannot delete {}: {}", path, io.toString());
            }
            return null;
        }
    }

    private cl_program fromSource(String file, String key, String options, String src) {
        cl_program p = build(file, options, src);
        try {
            long[] size = new long[1];
            clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(size), null);
            if (size[0] > 0) {
                byte[] bin = new byte[(int) size[0]];
                clGetProgramInfo(p, CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(Pointer.to(bin)), null);
                MEMORY.put(key, bin);
                writeAtomically(cacheDirectory().resolve("opencl").resolve(key + ".bin"), bin);
            }
        } catch (CLException e) {
            LOG.debug("OpenCL program {}: no binary to cache: {}", file, e.getMessage());
        }
        return p;
    }

    private static final java.util.regex.Pattern RAW_PLACE = java.util.regex.Pattern.compile("<(?:kernel|source|program source)>:(\\d+)");
    private static final java.util.regex.Pattern LINE_DIRECTIVE = java.util.regex.Pattern.compile("^#line (\\d+) \"([^\"]+)\"\\s*$");

    /**
     * A build log whose places are lines of the assembled source ({@code <kernel>:17:12}, as NVIDIA's compiler writes
     * them, ignoring {@code #line}) rewritten as {@code file:line:col} of the resource files; logs that already name
     * the files (pocl honours {@code #line}) are left as they are.
     */
    static String namePlaces(String src, String log) {
        String[] lines = src.split("\n", -1);
        String[] file = new String[lines.length + 2];
        int[] line = new int[lines.length + 2];
        String current = "?";
        int at = 1;
        for (int i = 0; i < lines.length; i++) {
            java.util.regex.Matcher d = LINE_DIRECTIVE.matcher(lines[i]);
            file[i + 1] = current;
            line[i + 1] = at;
            if (d.matches()) {
                current = d.group(2);
                at = Integer.parseInt(d.group(1));
            } else {
                at++;
            }
        }
        java.util.regex.Matcher m = RAW_PLACE.matcher(log);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int raw = Integer.parseInt(m.group(1));
            String place = raw >= 1 && raw <= lines.length ? file[raw] + ":" + line[raw] : m.group();
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(place));
        }
        m.appendTail(out);
        return out.toString();
    }

    private cl_program build(String file, String options, String src) {
        cl_program p = clCreateProgramWithSource(dev.context, 1, new String[] {src}, null, null);
        ClDevice.LIVE_OBJECTS.incrementAndGet();
        long t0 = System.nanoTime();
        try {
            SOURCE_BUILDS.incrementAndGet();
            clBuildProgram(p, 0, null, options, null, null);
        } catch (CLException e) {
            String log = buildLog(p);
            clReleaseProgram(p);
            ClDevice.LIVE_OBJECTS.decrementAndGet();
            throw new KernelBuildException("OpenCL C program " + file + " (options '" + options + "') failed to build on '" + dev.name + "' ("
                    + dev.platformName + ", driver " + dev.driverVersion + "): " + e.getMessage() + "\n" + namePlaces(src, log), e);
        }
        LOG.debug("OpenCL program {} built from source in {} ms", file, (System.nanoTime() - t0) / 1_000_000);
        return p;
    }

    private String buildLog(cl_program p) {
        try {
            long[] size = new long[1];
            clGetProgramBuildInfo(p, dev.device, CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] b = new byte[(int) size[0]];
            clGetProgramBuildInfo(p, dev.device, CL_PROGRAM_BUILD_LOG, b.length, Pointer.to(b), null);
            int n = b.length;
            while (n > 0 && b[n - 1] == 0) n--;
            return new String(b, 0, n, StandardCharsets.UTF_8);
        } catch (CLException e) {
            return "(no build log: " + e.getMessage() + ")";
        }
    }

    static void writeAtomically(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot write the OpenCL program cache {}: {}", file, e.toString());
        }
    }

    /** Forgets the binaries held in memory (tests use it to exercise the disk cache). */
    static void clearMemoryCache() {
        MEMORY.clear();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Releases every program. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (cl_program p : programs.values()) clReleaseProgram(p);
        ClDevice.LIVE_OBJECTS.addAndGet(-programs.size());
        programs.clear();
    }
}
