package dev.jasg.gpu;

import static org.lwjgl.util.shaderc.Shaderc.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles generated GLSL compute shaders to SPIR-V with shaderc at run time. Results are
 * cached by a hash of the source in memory (for the whole JVM: SPIR-V does not depend on
 * the device) and on disk under {@link #cacheDirectory()}{@code /spirv}, so a second start
 * compiles nothing.
 */
final class ShaderCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(ShaderCompiler.class);
    /** Bumped when the compile options change, so stale SPIR-V on disk is not reused. */
    private static final String OPTIONS = "shaderc/vulkan1.2/O/v1";
    private static final Map<String, byte[]> MEMORY = new ConcurrentHashMap<>();
    /** Number of shaderc invocations in this JVM; tests use it to check the caches. */
    static final AtomicInteger COMPILES = new AtomicInteger();

    private ShaderCompiler() {}

    /**
     * The cache root: system property {@code jasg.cache.dir}, else {@code $XDG_CACHE_HOME/jasg},
     * else {@code ~/.cache/jasg}.
     */
    static Path cacheDirectory() {
        String p = System.getProperty("jasg.cache.dir");
        if (p != null && !p.isBlank()) return Path.of(p);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "jasg");
        return Path.of(System.getProperty("user.home"), ".cache", "jasg");
    }

    /** SPIR-V of kernel {@code name} with {@code source}; {@code forWhat} names the op and node for errors. */
    static byte[] spirv(String name, String source, String forWhat) {
        String key = sha256(OPTIONS + "\n" + source);
        byte[] code = MEMORY.get(key);
        if (code != null) return code;
        Path file = cacheDirectory().resolve("spirv").resolve(key + ".spv");
        try {
            if (Files.isRegularFile(file)) {
                code = Files.readAllBytes(file);
                if (code.length >= 20 && code.length % 4 == 0) {
                    LOG.debug("SPIR-V cache hit on disk for kernel {}", name);
                    MEMORY.put(key, code);
                    return code;
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read cached SPIR-V {}: {}", file, e.toString());
        }
        code = compile(name, source, forWhat);
        MEMORY.put(key, code);
        writeAtomically(file, code);
        return code;
    }

    private static synchronized byte[] compile(String name, String source, String forWhat) {
        long t0 = System.nanoTime();
        long compiler = shaderc_compiler_initialize();
        if (compiler == 0) throw new ShaderCompileException("shaderc could not start (its native library failed to initialise)");
        long options = shaderc_compile_options_initialize();
        try {
            shaderc_compile_options_set_target_env(options, shaderc_target_env_vulkan,
                    needsVulkan13(source) ? shaderc_env_version_vulkan_1_3 : shaderc_env_version_vulkan_1_2);
            shaderc_compile_options_set_optimization_level(options, shaderc_optimization_level_performance);
            long result = shaderc_compile_into_spv(compiler, source, shaderc_glsl_compute_shader, name + ".comp", "main", options);
            try {
                if (shaderc_result_get_compilation_status(result) != shaderc_compilation_status_success) {
                    throw new ShaderCompileException("GLSL kernel '" + name + "' for " + forWhat + " failed to compile:\n"
                            + shaderc_result_get_error_message(result) + "\n--- source ---\n" + numbered(source));
                }
                ByteBuffer bytes = shaderc_result_get_bytes(result);
                byte[] out = new byte[bytes.remaining()];
                bytes.get(out);
                COMPILES.incrementAndGet();
                LOG.debug("compiled kernel {} to {} bytes of SPIR-V in {} ms", name, out.length, (System.nanoTime() - t0) / 1_000_000);
                return out;
            } finally {
                shaderc_result_release(result);
            }
        } finally {
            shaderc_compile_options_release(options);
            shaderc_compiler_release(compiler);
        }
    }

    /**
     * True when {@code source} needs SPIR-V 1.6, that is, a Vulkan 1.3 target: the workgroup-scope cooperative matrices of
     * {@code GL_NV_cooperative_matrix2}. Every other kernel targets Vulkan 1.2 (SPIR-V 1.5), which any device we open runs.
     */
    static boolean needsVulkan13(String source) {
        return source.contains("#extension GL_NV_cooperative_matrix2");
    }

    private static String numbered(String source) {
        StringBuilder sb = new StringBuilder();
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) sb.append(String.format("%4d  ", i + 1)).append(lines[i]).append('\n');
        return sb.toString();
    }

    /** Writes {@code data} to {@code file} through a temporary file and a move, so a reader never sees half a file. */
    static void writeAtomically(Path file, byte[] data) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, data);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("cannot write cache file {}: {}", file, e.toString());
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Forgets the in-memory cache; tests use it to show that the disk cache serves a restart. */
    static void clearMemoryCache() {
        MEMORY.clear();
    }
}
