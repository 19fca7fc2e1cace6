package dev.jasg.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GLSL kernels' sources: {@code .comp} files (one per kernel family) and the {@code .glsl} files they
 * {@code #include}, resources under {@code dev/jasg/gpu/shaders/}. A kernel is a file plus {@code #define}s (the op's
 * scalar expression, tile sizes, flags): {@link #source} puts the defines after {@code #version} and inlines every
 * include, with {@code #line} directives (GL_GOOGLE_cpp_style_line_directive) so that a compile error names the
 * resource file and its line, not a line of the assembled text.
 *
 * <p>Stateless apart from a cache of the resource texts; thread-safe.
 */
final class Shaders {
    /** Where the shader resources live, relative to the class path root. */
    static final String DIRECTORY = "dev/jasg/gpu/shaders/";
    private static final Pattern INCLUDE = Pattern.compile("^\\s*#include\\s+\"([A-Za-z0-9_.]+)\"\\s*$");
    private static final Map<String, String> TEXTS = new ConcurrentHashMap<>();

    private Shaders() {}

    /** Defines in insertion order, for {@link #source}: name, value, name, value... */
    static Map<String, String> defines(Object... nameValue) {
        if (nameValue.length % 2 != 0) throw new IllegalArgumentException("defines come in name/value pairs");
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) m.put((String) nameValue[i], String.valueOf(nameValue[i + 1]));
        return Collections.unmodifiableMap(m);
    }

    /** The compilable source of {@code file} (a {@code .comp} resource) with {@code defines} set. */
    static String source(String file, Map<String, String> defines) {
        return source(file, defines, Map.of());
    }

    /**
     * The compilable source of {@code file} with {@code defines} set, where an include named in {@code generated}
     * takes that text instead of the resource's (the generated body of a fused group, {@link Fusion#body}).
     */
    static String source(String file, Map<String, String> defines, Map<String, String> generated) {
        String text = text(file);
        int eol = text.indexOf('\n');
        String first = eol < 0 ? text : text.substring(0, eol);
        if (!first.startsWith("#version")) {
            throw new ShaderCompileException("shader " + DIRECTORY + file + ": line 1 must be #version, found '" + first + "'");
        }
        StringBuilder out = new StringBuilder(text.length() + 4096);
        out.append(first).append('\n');
        out.append("#extension GL_GOOGLE_cpp_style_line_directive : enable\n");
        defines.forEach((k, v) -> out.append("#define ").append(k).append(' ').append(v).append('\n'));
        if (!Fusion.directIndexing()) out.append("#define DIRECT_INDEXING 0\n");  // reduce_geometry.glsl's run loop for every offset
        inline(file, eol < 0 ? "" : text.substring(eol + 1), 2, out, new ArrayList<>(), generated);
        return out.toString();
    }

    private static void inline(String file, String text, int firstLine, StringBuilder out, List<String> stack, Map<String, String> generated) {
        if (stack.contains(file)) throw new ShaderCompileException("shader " + DIRECTORY + file + " includes itself through " + stack);
        stack.add(file);
        out.append("#line ").append(firstLine).append(" \"").append(file).append("\"\n");
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = INCLUDE.matcher(lines[i]);
            if (m.matches()) {
                String inc = m.group(1);
                String body = generated.get(inc);
                inline(inc, body != null ? body : text(inc), 1, out, stack, generated);
                out.append("#line ").append(firstLine + i + 1).append(" \"").append(file).append("\"\n");
            } else {
                out.append(lines[i]).append('\n');
            }
        }
        stack.remove(stack.size() - 1);
    }

    /** The text of one resource, cached. */
    static String text(String file) {
        return TEXTS.computeIfAbsent(file, f -> {
            try (InputStream in = Shaders.class.getClassLoader().getResourceAsStream(DIRECTORY + f)) {
                if (in == null) throw new ShaderCompileException("shader resource " + DIRECTORY + f + " is missing from the class path");
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("reading shader resource " + DIRECTORY + f, e);
            }
        });
    }
}
