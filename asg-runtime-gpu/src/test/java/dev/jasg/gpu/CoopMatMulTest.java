package dev.jasg.gpu;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tensor-core product ({@code matmul_coop.comp}) against the reference, where the device has
 * cooperative matrices of the type (an NVIDIA GPU; lavapipe has none, so there the test is skipped
 * with the device's answer, and the half products run on the plain kernel the op table checks).
 * Sizes that are multiples of the tile take the kernel, batched and broadcast; others fall back.
 */
@Tag("gpu")
class CoopMatMulTest {
    private static VulkanBackend DEV;

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
    private static void check(DType t, int[] ad, int[] bd) {
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

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16"})
    void tensorCoreProductsMatchTheReference(String type) {
        DType t = DType.valueOf(type);
        VulkanDevice d = DEV.device();
        Assumptions.assumeTrue(d.coopMatrix.supports(t) && d.subgroupSize == CoopMatMulKernel.SUBGROUP,
                d.name + " has no cooperative-matrix kernel for " + type + " (shapes: " + d.coopMatrix.summary() + ", subgroup " + d.subgroupSize + ")");
        check(t, new int[] {256, 384}, new int[] {384, 256});
        assertTrue(DEV.kernelNames().stream().anyMatch(n -> n.startsWith("matmul_coop_" + t.label())), "the coop kernel ran: " + DEV.kernelNames());
        check(t, new int[] {2, 128, 1024}, new int[] {1024, 128});      // batched, B broadcast
        check(t, new int[] {3, 128, 64}, new int[] {3, 64, 256});       // batched both
        long before = DEV.kernelNames().stream().filter(n -> n.startsWith("matmul_coop")).count();
        check(t, new int[] {100, 70}, new int[] {70, 50});              // not a multiple of the tile: the plain kernel
        assertFalse(DEV.kernelNames().stream().filter(n -> n.startsWith("matmul_coop")).count() > before, "an unaligned product took the coop kernel");
    }
}
