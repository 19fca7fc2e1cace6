package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tensor-core product ({@code matmul_coop.comp}) against the reference, where the device has
 * cooperative matrices of the type (an NVIDIA GPU; lavapipe has none, so there the test is skipped
 * with the device's answer, and the half products run on the plain kernel the op table checks).
 * Sizes that are multiples of the tile take the kernel, batched and broadcast; others fall back.
 */
@Tag("gpu")
class CoopMatMulTest {
    static VulkanBackend DEV;

    @BeforeAll
    static void open() {
        DEV = Gpu.open();
    }

    @AfterAll
    static void close() {
        if (DEV != null) DEV.close();
    }

    private static HostTensor random(long seed, int... dims) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : dims) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 4 - 2);
        return HostTensor.of(v, dims);
    }

    /** {@code a.cast(t) @ b.cast(t)} on the device and on the reference, compared within f32 accumulation error. */
    static void check(DType t, int[] ad, int[] bd) {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, dev.jasg.core.Shape.of(ad)), b = g.input("b", DType.F32, dev.jasg.core.Shape.of(bd));
        g.output("c", a.cast(t).matmul(b.cast(t)));
        Graph graph = g.build();
        Map<String, HostTensor> feeds = Map.of("a", random(1, ad), "b", random(2, bd));
        try (ReferenceBackend ref = new ReferenceBackend(); Executable re = ref.compile(graph); Executable ge = DEV.compile(graph)) {
            // exact products of exact halves, summed in f32 over K <= 1024 terms of magnitude <= 4: a few 1e-6 relative
            Gpu.assertClose(t + " " + java.util.Arrays.toString(ad) + " x " + java.util.Arrays.toString(bd), re.run(feeds).get("c"), ge.run(feeds).get("c"), 2e-5);
        }
    }

    /** {@code relu(a.cast(t) @ b.cast(t) + bias) * 0.5}: a product with a fused epilogue (Fusion) on the tensor-core kernel. */
    static void checkEpilogue(DType t, int m, int k, int n) {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, m, k), b = g.input("b", DType.F32, k, n), bias = g.input("bias", DType.F32, n);
        g.output("c", a.cast(t).matmul(b.cast(t)).add(bias).relu().mul(0.5));
        Graph graph = g.build();
        Map<String, HostTensor> feeds = Map.of("a", random(3, m, k), "b", random(4, k, n), "bias", random(5, n));
        try (ReferenceBackend ref = new ReferenceBackend(); Executable re = ref.compile(graph); Executable ge = DEV.compile(graph)) {
            Gpu.assertClose(t + " epilogue " + m + "x" + k + "x" + n, re.run(feeds).get("c"), ge.run(feeds).get("c"), 2e-5);
        }
    }

    /** The kernel's ways of reading its operands: packed to 16-bit in the workspace through 2 or 1 shared stages, or f32 words. */
    @ParameterizedTest
    @CsvSource({"F16,true,2,_packed2", "BF16,true,2,_packed2", "F16,true,1,_packed1", "BF16,true,1,_packed1", "F16,false,1,", "BF16,false,1,"})
    void tensorCoreProductsMatchTheReference(String type, boolean packed, int stages, String suffix) {
        DType t = DType.valueOf(type);
        VulkanDevice d = DEV.device();
        Assumptions.assumeTrue(d.coopMatrix.supports(t) && d.subgroupSize == CoopMatMulKernel.SUBGROUP,
                d.name + " has no cooperative-matrix kernel for " + type + " (shapes: " + d.coopMatrix.summary() + ", subgroup " + d.subgroupSize + ")");
        System.setProperty(WorkgroupMatMulKernel.PROPERTY, "false"); // WorkgroupMatMulTest checks the workgroup-scope kernel
        System.setProperty(CoopMatMulKernel.PACKED_PROPERTY, Boolean.toString(packed));
        System.setProperty(CoopMatMulKernel.STAGES_PROPERTY, Integer.toString(stages));
        try {
            check(t, new int[] {256, 384}, new int[] {384, 256});
            String prefix = "matmul_coop_" + t.label();
            String want = suffix == null ? "" : suffix;
            assertTrue(DEV.kernelNames().stream().anyMatch(nm -> nm.startsWith(prefix) && (want.isEmpty() ? !nm.contains("_packed") : nm.endsWith(want))),
                    "the coop kernel (" + want + ") ran: " + DEV.kernelNames());
            check(t, new int[] {2, 128, 1024}, new int[] {1024, 128});      // batched, B broadcast
            check(t, new int[] {3, 128, 64}, new int[] {3, 64, 256});       // batched both
            checkEpilogue(t, 256, 128, 384);
            assertTrue(DEV.kernelNames().stream().anyMatch(nm -> nm.startsWith(prefix) && nm.contains("_epilogue_")),
                    "the coop kernel with an epilogue ran: " + DEV.kernelNames());
            long before = DEV.kernelNames().stream().filter(nm -> nm.startsWith("matmul_coop")).count();
            check(t, new int[] {100, 70}, new int[] {70, 50});              // not a multiple of the tile: the plain kernel
            assertFalse(DEV.kernelNames().stream().filter(nm -> nm.startsWith("matmul_coop")).count() > before, "an unaligned product took the coop kernel");
        } finally {
            System.clearProperty(WorkgroupMatMulKernel.PROPERTY);
            System.clearProperty(CoopMatMulKernel.PACKED_PROPERTY);
            System.clearProperty(CoopMatMulKernel.STAGES_PROPERTY);
        }
    }

    /**
     * The split rule on 132 compute units: a bf16 weight gradient's 144 workgroups in 4 parts (five full waves instead of
     * two, the second nearly empty); never without the units, batched, or under the work floor.
     */
    @Test
    void theSplitRule() {
        CoopMatMulKernel.Tiles t = new CoopMatMulKernel.Tiles(128, 128, 64, 64, 32);
        assertEquals(4, CoopMatMulKernel.splits(t, 3072, 768, 8192, 1, 132));
        assertEquals(1, CoopMatMulKernel.splits(t, 3072, 768, 8192, 1, 0));
        assertEquals(1, CoopMatMulKernel.splits(t, 3072, 768, 8192, 2, 132));
        assertEquals(1, CoopMatMulKernel.splits(t, 8192, 3072, 768, 1, 132));   // 1536 workgroups: 12 waves, the last nearly full
        assertEquals(1, CoopMatMulKernel.splits(t, 256, 256, 1024, 1, 132));
    }

    /**
     * A product split over K on the packed kernel (16 workgroups of 128x128 on a large GPU): the reference, bit-identical
     * twice; {@code cast}: its result cast to the half type, as mixed precision's weight gradients are (a fused epilogue of
     * casts only, which the split's second pass applies as its rounding: within one half ulp of the reference's).
     */
    @ParameterizedTest
    @CsvSource({"F16,2,false", "BF16,2,false", "BF16,1,false", "BF16,2,true", "F16,2,true"})
    void splitProductsMatchTheReference(String type, int stages, boolean cast) {
        DType t = DType.valueOf(type);
        VulkanDevice d = DEV.device();
        Assumptions.assumeTrue(d.coopMatrix.supports(t) && d.subgroupSize == CoopMatMulKernel.SUBGROUP && d.computeUnits >= 32,
                d.name + " has no cooperative-matrix kernel for " + type + " or too few compute units to split (" + d.computeUnits + ")");
        System.setProperty(WorkgroupMatMulKernel.PROPERTY, "false");
        System.setProperty(CoopMatMulKernel.STAGES_PROPERTY, Integer.toString(stages));
        try {
            GraphBuilder g = new GraphBuilder();
            Tensor a = g.input("a", DType.F32, 4096, 512), b = g.input("b", DType.F32, 4096, 512);
            Tensor c = a.cast(t).mT().matmul(b.cast(t));   // a weight gradient: A read transposed, packed by pack_half_t
            g.output("c", cast ? c.cast(t) : c);
            Graph graph = g.build();
            Map<String, HostTensor> feeds = Map.of("a", random(6, 4096, 512), "b", random(7, 4096, 512));
            try (ReferenceBackend ref = new ReferenceBackend(); Executable re = ref.compile(graph); Executable ge = DEV.compile(graph)) {
                HostTensor first = ge.run(feeds).get("c");
                Gpu.assertClose(t + " split" + (cast ? ", cast" : ""), re.run(feeds).get("c"), first, cast ? (t == DType.BF16 ? 8e-3 : 1e-3) : 1e-4);
                float[] x = first.floats(), y = ge.run(feeds).get("c").floats();
                for (int i = 0; i < x.length; i++) assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), "run twice, element " + i);
            }
            assertTrue(DEV.kernelNames().stream().anyMatch(nm -> nm.startsWith("matmul_coop_" + t.label()) && nm.endsWith("_splitk")),
                    "the packed kernel ran split: " + DEV.kernelNames());
            assertTrue(DEV.kernelNames().contains("split_sum"), "the partials were summed: " + DEV.kernelNames());
        } finally {
            System.clearProperty(WorkgroupMatMulKernel.PROPERTY);
            System.clearProperty(CoopMatMulKernel.STAGES_PROPERTY);
        }
    }
}
