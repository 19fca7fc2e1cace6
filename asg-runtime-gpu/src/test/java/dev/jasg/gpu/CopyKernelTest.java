package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The strided copy's two kernels: a copy whose innermost axis is contiguous on both sides and a multiple of four long
 * (an attention head's permute [B, T, H, D] -> [B, H, T, D]) moves four floats an invocation ({@code copy4}); any other
 * (a transpose of the last two axes, an odd innermost length) one float. Both give exactly the reference's values.
 */
@Tag("gpu")
class CopyKernelTest {
    record Row(String name, int[] shape, UnaryOperator<Tensor> op, boolean quads) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("heads split [2,5,3,8] -> [2,3,5,8]", new int[] {2, 5, 3, 8}, x -> x.permute(0, 2, 1, 3), true),
                new Row("heads merged [2,3,5,4] -> [2,5,3,4]", new int[] {2, 3, 5, 4}, x -> x.permute(0, 2, 1, 3), true),
                new Row("outer slice [6,8] rows 1..5", new int[] {6, 8}, x -> x.slice(0, 1, 5), true),
                new Row("expand [1,8] -> [3,8]", new int[] {1, 8}, x -> x.expand(3, 8), true),
                new Row("last two swapped [2,4,8] -> [2,8,4]", new int[] {2, 4, 8}, x -> x.permute(0, 2, 1), false),
                new Row("odd inner [2,5,3,6] -> [2,3,5,6]", new int[] {2, 5, 3, 6}, x -> x.permute(0, 2, 1, 3), false),
                new Row("inner slice [4,8] columns 0..4 (offset 0, stride 8)", new int[] {4, 8}, x -> x.slice(1, 0, 4), true),
                new Row("inner slice [4,8] columns 2..6 (offset 2)", new int[] {4, 8}, x -> x.slice(1, 2, 6), false));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void copiesExactly(Row row) {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, java.util.Arrays.stream(row.shape()).boxed().toArray());
        g.output("y", row.op().apply(x));
        int n = 1;
        for (int d : row.shape()) n *= d;
        float[] xs = new float[n];
        for (int i = 0; i < n; i++) xs[i] = i * 0.5f - 3;
        Map<String, HostTensor> feed = Map.of("x", HostTensor.of(xs, row.shape()));
        float[] want;
        try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(g.build())) {
            want = e.run(feed).get("y").floats();
        }
        try (VulkanBackend vk = Gpu.open(); Executable e = vk.compile(vk.newParameters(0), g.build())) {
            assertArrayEquals(want, e.run(feed).get("y").floats(), row.name());
            assertEquals(row.quads(), vk.kernelNames().contains("copy4"), "four floats an invocation: " + vk.kernelNames());
        }
    }
}
