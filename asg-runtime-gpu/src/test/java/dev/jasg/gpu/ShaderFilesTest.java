package dev.jasg.gpu;

import dev.jasg.core.ArgReduceOp;
import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.ConvGeometry;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.UnaryOp;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shader files ({@code src/main/resources/dev/jasg/gpu/shaders}): every kernel variant the backend builds compiles with
 * shaderc (no device needed) and passes Khronos' reference compiler {@code glslangValidator} (Debian's glslang-tools; a
 * skip where it is missing, a failure when {@code JASG_REQUIRE_GLSLANG=1}, as in CI); every file is used; and a broken
 * shader's error names its file and line.
 */
class ShaderFilesTest {
    /** Every kernel variant: each op kind once, and the tile, operand and channel variants of matmul and convolution. */
    static List<Kernel> variants() {
        List<Kernel> k = new ArrayList<>();
        for (UnaryOp u : UnaryOp.values()) k.add(GlslKernels.unary(u));
        for (BinaryOp b : BinaryOp.values()) k.add(GlslKernels.binary("binary_" + b.label(), GlslKernels.binaryExpression(b)));
        for (CompareOp c : CompareOp.values()) k.add(GlslKernels.binary("compare_" + c.label(), GlslKernels.compareExpression(c)));
        k.add(GlslKernels.where());
        k.add(GlslKernels.copy());
        k.add(GlslKernels.copy4());
        for (boolean sg : new boolean[] {false, true}) {
            for (ReduceOp r : ReduceOp.values()) k.add(GlslKernels.reduce(r, sg));
            k.add(GlslKernels.softmax(false, sg));
            k.add(GlslKernels.softmax(true, sg));
            k.add(GlslKernels.softmax(false, sg, true));
            k.add(GlslKernels.softmax(true, sg, true));
            k.add(LayerKernels.normalize(sg));
            for (RowGradient.Kind kind : RowGradient.Kind.values()) k.add(LayerKernels.rowGradient(kind, sg, Lowering.mode(dev.jasg.core.DType.F32)));
        }
        for (ArgReduceOp a : ArgReduceOp.values()) k.add(GlslKernels.argReduce(a));
        k.add(ScanKernels.scan(false, false));
        k.add(ScanKernels.scan(false, true));
        k.add(ScanKernels.scan(true, false));
        k.add(ScanKernels.argsort(false));
        k.add(ScanKernels.argsort(true));
        k.add(LayerKernels.gather());
        k.add(LayerKernels.scatterAdd());
        k.add(LayerKernels.dropoutMask());
        k.add(PoolKernels.maxPoolSelect());
        k.add(PoolKernels.maxPoolScatter());
        int shared = 48 * 1024;
        for (MatMulKernel.Tiles t : List.of(MatMulKernel.large(shared), MatMulKernel.narrow(shared), MatMulKernel.small(shared))) {
            for (boolean aligned : new boolean[] {true, false}) {
                // each operand as it is or transposed (TRANS_A, TRANS_B), and the K-split variant of each
                for (MatMulKernel.Layout l : List.of(MatMulKernel.Layout.PLAIN, new MatMulKernel.Layout(true, false), new MatMulKernel.Layout(false, true),
                        new MatMulKernel.Layout(true, true))) {
                    k.add(MatMulKernel.kernel(t, aligned, l));
                    k.add(MatMulKernel.splitKernel(t, aligned, l));
                    k.add(MatMulKernel.streamKernel(t, aligned, l));
                }
                // a result stored permuted (REMAP), A as it is or transposed
                for (MatMulKernel.Layout l : List.of(MatMulKernel.Layout.PLAIN, new MatMulKernel.Layout(true, false))) {
                    k.add(MatMulKernel.kernel(t, aligned, l, true));
                }
            }
        }
        k.add(MatMulKernel.streamSum());
        // the large tile 16 deep (MatMulKernel.deep): plain products with A as it is
        for (boolean aligned : new boolean[] {true, false}) {
            for (MatMulKernel.Layout l : List.of(MatMulKernel.Layout.PLAIN, new MatMulKernel.Layout(false, true))) {
                k.add(MatMulKernel.kernel(MatMulKernel.deep(MatMulKernel.large(shared), l, 1024, shared), aligned, l));
            }
        }
        // products stored as their rows' softmax (SOFTMAX): rows of 128 to 1024, B as it is or transposed, A transposed
        for (int n : new int[] {128, 256, 512, 1024}) {
            for (MatMulKernel.Layout l : List.of(MatMulKernel.Layout.PLAIN, new MatMulKernel.Layout(false, true), new MatMulKernel.Layout(true, true))) {
                k.add(MatMulKernel.softmaxKernel(MatMulKernel.softmaxRows(n, shared), l));
            }
        }
        k.add(MatMulKernel.softmaxKernel(MatMulKernel.softmaxRows(512, 32 * 1024), new MatMulKernel.Layout(false, true)));
        // the large tile through one shared stage too (two by default: MatMulKernel.STAGES_PROPERTY)
        System.setProperty(MatMulKernel.STAGES_PROPERTY, "1");
        try {
            for (boolean aligned : new boolean[] {true, false}) {
                for (MatMulKernel.Layout l : List.of(MatMulKernel.Layout.PLAIN, new MatMulKernel.Layout(true, true))) {
                    k.add(MatMulKernel.kernel(MatMulKernel.large(shared), aligned, l));
                }
            }
        } finally {
            System.clearProperty(MatMulKernel.STAGES_PROPERTY);
        }
        // tiles walked in bands of rows (RASTER): plain, split in K and stored permuted (stream-K ignores the bands)
        System.setProperty(MatMulKernel.RASTER_PROPERTY, "8");
        try {
            for (boolean aligned : new boolean[] {true, false}) {
                k.add(MatMulKernel.kernel(MatMulKernel.large(shared), aligned, MatMulKernel.Layout.PLAIN));
                k.add(MatMulKernel.splitKernel(MatMulKernel.large(shared), aligned, new MatMulKernel.Layout(true, false)));
                k.add(MatMulKernel.kernel(MatMulKernel.narrow(shared), aligned, MatMulKernel.Layout.PLAIN, true));
            }
        } finally {
            System.clearProperty(MatMulKernel.RASTER_PROPERTY);
        }
        ConvGeometry g = new ConvGeometry(1, 1, 1, 1, 1, 1, 1, 1, 1);
        ConvGeometry s2 = new ConvGeometry(2, 2, 1, 1, 1, 1, 1, 1, 1);
        // the 64 x 256, 64 x 64 and sliced 32 x 32 tiles
        for (ConvKernels.Tiles t : List.of(ConvKernels.tiles(64, 3136, 576, 1, shared, 1, true), ConvKernels.tiles(64, 4096, 1152, 1, shared, 64, true),
                ConvKernels.tiles(64, 64, 8192, 1, shared, 1000, false))) {
            k.add(ConvKernels.gemm(ConvKernels.Conv.FORWARD, t, ConvKernels.geometry(64, 56, 56, 64, 56, 56, 64, 3, 3, g)));
            k.add(ConvKernels.gemm(ConvKernels.Conv.FORWARD, t, ConvKernels.geometry(1, 28, 28, 64, 28, 28, 1, 3, 3, g)));
            k.add(ConvKernels.gemm(ConvKernels.Conv.TRANSPOSED, t, ConvKernels.geometry(64, 28, 28, 32, 56, 56, 64, 4, 4, s2)));
            k.add(ConvKernels.gemm(ConvKernels.Conv.WEIGHT_GRAD, t, ConvKernels.geometry(64, 56, 56, 64, 56, 56, 64, 3, 3, g)));
            k.add(ConvKernels.gemm(ConvKernels.Conv.WEIGHT_GRAD, t, ConvKernels.geometry(64, 56, 56, 64, 56, 56, 64, 3, 3, g), true, false));
            // the tap-major weight's readers (ConvKernels.relayout)
            k.add(ConvKernels.gemm(ConvKernels.Conv.FORWARD, t, ConvKernels.geometry(64, 56, 56, 64, 56, 56, 64, 3, 3, g), false, true));
            k.add(ConvKernels.gemm(ConvKernels.Conv.TRANSPOSED, t, ConvKernels.geometry(64, 28, 28, 32, 56, 56, 64, 4, 4, s2), false, true));
            // the weight gradient's loads along the reduction (opt-in: ConvKernels.Layout.WEIGHT_GRAD_K_MAJOR)
            System.setProperty(ConvKernels.Layout.WEIGHT_GRAD_K_MAJOR.property, "true");
            try {
                k.add(ConvKernels.gemm(ConvKernels.Conv.WEIGHT_GRAD, t, ConvKernels.geometry(64, 56, 56, 64, 56, 56, 64, 3, 3, g)));
                k.add(ConvKernels.gemm(ConvKernels.Conv.WEIGHT_GRAD, t, ConvKernels.geometry(64, 56, 56, 64, 56, 56, 64, 3, 3, g), true, false));
            } finally {
                System.clearProperty(ConvKernels.Layout.WEIGHT_GRAD_K_MAJOR.property);
            }
        }
        // the weight gradient's shallower steps on the unsliced 64 x 64 tile (jasg.vulkan.conv.wgradBk), split and not
        for (int bk : new int[] {8, 16}) {
            ConvKernels.Tiles t = new ConvKernels.Tiles(16, 16, 4, 4, 1, bk);
            k.add(ConvKernels.gemm(ConvKernels.Conv.WEIGHT_GRAD, t, ConvKernels.geometry(64, 56, 56, 64, 56, 56, 64, 3, 3, g)));
            k.add(ConvKernels.gemm(ConvKernels.Conv.WEIGHT_GRAD, t, ConvKernels.geometry(64, 56, 56, 64, 56, 56, 64, 3, 3, g), true, false));
        }
        for (int ch : new int[] {1, 4}) {
            k.add(ConvKernels.conv2dDirect(ch));
            k.add(ConvKernels.convTranspose2dDirect(ch));
        }
        k.add(ConvKernels.weightGradDirect());
        k.add(ConvKernels.splitSum());
        k.add(ConvKernels.winogradWeight(false));
        k.add(ConvKernels.winogradWeight(true));
        k.add(ConvKernels.winogradInput());
        k.add(ConvKernels.winogradOutput());
        k.add(ConvKernels.winogradGradient());
        k.add(ConvKernels.winogradWeightGradient());
        k.addAll(FusionTest.kernels());
        for (AttentionKernels.Kind kind : AttentionKernels.Kind.values()) {
            for (int[] ee : new int[][] {{64, 64}, {128, 128}, {512, 512}}) k.add(AttentionKernels.kernel(kind, AttentionKernels.tiles(kind, ee[0], ee[1], shared)));
            k.add(AttentionKernels.kernel(kind, new AttentionKernels.Tiles(16, 16, 64)));
        }
        k.add(AttentionKernels.delta());
        for (dev.jasg.core.DType t : new dev.jasg.core.DType[] {dev.jasg.core.DType.F16, dev.jasg.core.DType.BF16}) {
            k.add(CoopMatMulKernel.kernel(new CoopMatMulKernel.Tiles(128, 128, 32, 64, 32), t));
            k.add(CoopMatMulKernel.kernel(new CoopMatMulKernel.Tiles(128, 256, 32, 64, 64), t));
            k.add(CoopMatMulKernel.kernel(new CoopMatMulKernel.Tiles(256, 128, 32, 64, 64), t));
            for (int stages = 1; stages <= 2; stages++) {
                k.add(CoopMatMulKernel.kernel(new CoopMatMulKernel.Tiles(128, 128, 32, 64, 32), t, new CoopMatMulKernel.Variant(true, stages)));
                k.add(CoopMatMulKernel.kernel(new CoopMatMulKernel.Tiles(256, 128, 32, 64, 64), t, new CoopMatMulKernel.Variant(true, stages)));
            }
            // the ceiling measurements (CoopMatMulKernel.PEAK_PROPERTY), so that they compile when asked for
            for (int peak = 1; peak <= 4; peak++) {
                System.setProperty(CoopMatMulKernel.PEAK_PROPERTY, String.valueOf(peak));
                try {
                    k.add(CoopMatMulKernel.kernel(new CoopMatMulKernel.Tiles(128, 128, 64, 64, 32), t, new CoopMatMulKernel.Variant(true, 1)));
                } finally {
                    System.clearProperty(CoopMatMulKernel.PEAK_PROPERTY);
                }
            }
            k.add(CoopMatMulKernel.pack(t));
            k.add(CoopMatMulKernel.packTransposed(t));
            k.add(WorkgroupMatMulKernel.kernel(new WorkgroupMatMulKernel.Tiles(128, 128, 32), t, 256));
            k.add(WorkgroupMatMulKernel.kernel(new WorkgroupMatMulKernel.Tiles(64, 64, 32), t, 128));
            for (AttentionKernels.Kind kind : AttentionKernels.Kind.values()) {
                k.add(WorkgroupAttentionKernels.kernel(kind, t, 64, 64, 256));
                k.add(WorkgroupAttentionKernels.kernel(kind, t, 128, 32, 256));
            }
        }
        return k;
    }

    @TestFactory
    Stream<DynamicTest> everyVariantCompilesWithShaderc() {
        return variants().stream().map(k -> DynamicTest.dynamicTest("shaderc: " + k.name(),
                () -> assertTrue(ShaderCompiler.spirv(k.name(), k.source(), "the shader file test").length > 20)));
    }

    @TestFactory
    Stream<DynamicTest> everyVariantPassesGlslangValidator() throws IOException {
        Path tool = glslangValidator();
        Path dir = Files.createTempDirectory("jasg-glslang");
        return variants().stream().map(k -> DynamicTest.dynamicTest("glslangValidator: " + k.name(), () -> {
            if (tool == null) {
                if ("1".equals(System.getenv("JASG_REQUIRE_GLSLANG"))) fail("glslangValidator not found; apt-get install glslang-tools");
                org.junit.jupiter.api.Assumptions.abort("glslangValidator not installed (apt-get install glslang-tools)");
            }
            Path src = dir.resolve(k.name() + ".comp");
            Files.writeString(src, k.source());
            Process p = new ProcessBuilder(tool.toString(), "-V", "--target-env", ShaderCompiler.needsVulkan13(k.source()) ? "vulkan1.3" : "vulkan1.2", "-o", dir.resolve(k.name() + ".spv").toString(),
                    src.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "glslangValidator timed out on " + k.name());
            if (out.contains("extension not supported: GL_KHR_cooperative_matrix") || out.contains("extension not supported: GL_EXT_bfloat16")
                    || out.contains("extension not supported: GL_NV_cooperative_matrix2")) {
                // Debian's glslang 12 predates both extensions (glslang 13 and 15 added them); shaderc above compiled the kernel
                if ("1".equals(System.getenv("JASG_REQUIRE_GLSLANG_COOPMAT"))) fail("this glslangValidator is too old for " + k.name() + ":\n" + out);
                org.junit.jupiter.api.Assumptions.abort("this glslangValidator predates the cooperative-matrix or bfloat16 GLSL extensions: " + out.lines().findFirst().orElse(""));
            }
            assertEquals(0, p.exitValue(), "glslangValidator rejected " + k.name() + ":\n" + out);
        }));
    }

    /** Every file in the shader directory is a kernel's file or one of its includes: no dead shader files. */
    /** {@code jasg.vulkan.flatElements} takes 1, 2 or 4; anything else is refused with the property's name and the value. */
    @Test
    void flatElementsTakesOneTwoOrFour() {
        assertEquals(1, GlslKernels.elements("1"));
        assertEquals(4, GlslKernels.elements(" 4 "));
        for (String bad : new String[] {"3", "8", "0", "four", ""}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> GlslKernels.elements(bad));
            assertTrue(e.getMessage().contains("jasg.vulkan.flatElements") && e.getMessage().contains(bad.trim()), e.getMessage());
        }
    }

    @Test
    void everyShaderFileIsUsed() throws IOException, URISyntaxException {
        URL url = getClass().getClassLoader().getResource(Shaders.DIRECTORY + "common.glsl");
        Path dir = Path.of(url.toURI()).getParent();
        Set<String> files = new HashSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".comp") || n.endsWith(".glsl")).forEach(files::add);
        }
        files.remove("broken.comp");  // a test resource, below
        Set<String> used = new HashSet<>();
        for (Kernel k : variants()) {
            for (String line : k.source().split("\n")) {
                if (line.startsWith("#line ")) used.add(line.substring(line.indexOf('"') + 1, line.lastIndexOf('"')));
            }
        }
        files.removeAll(used);
        assertTrue(files.isEmpty(), "shader files no kernel uses: " + files);
    }

    /** A compile error names the shader file and its line, through the #line directives. */
    @Test
    void errorsNameTheFileAndLine() {
        Kernel broken = GlslKernels.kernel("broken", "broken.comp", 2);
        ShaderCompileException e = org.junit.jupiter.api.Assertions.assertThrows(ShaderCompileException.class,
                () -> ShaderCompiler.spirv(broken.name(), broken.source(), "the shader file test"));
        assertTrue(e.getMessage().contains("broken.comp:6"), e.getMessage());
    }

    private static Path glslangValidator() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "glslangValidator");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
