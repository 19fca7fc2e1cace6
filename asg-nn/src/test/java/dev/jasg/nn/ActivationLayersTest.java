package dev.jasg.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The activation layers of issue 14 beyond the PyTorch fixtures: NaN propagates (as in PyTorch), and bad arguments are refused. */
class ActivationLayersTest {

    static Stream<Arguments> layers() {
        Map<String, Supplier<Layer>> m = Map.ofEntries(
                Map.entry("ReLU6", ReLU6::new), Map.entry("Hardtanh", Hardtanh::new), Map.entry("Hardsigmoid", Hardsigmoid::new),
                Map.entry("Hardswish", Hardswish::new), Map.entry("PReLU", PReLU::new), Map.entry("SELU", SELU::new),
                Map.entry("CELU", () -> new CELU(0.5)), Map.entry("Mish", Mish::new), Map.entry("Softsign", Softsign::new),
                Map.entry("LogSigmoid", LogSigmoid::new), Map.entry("GLU", GLU::new), Map.entry("Threshold", () -> new Threshold(0.3, -2)));
        return m.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void nanStaysNan(String name, Supplier<Layer> make) {
        Layer layer = make.get();
        LayerBackends.wrap("m", layer);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2, 4);
        g.output("y", layer.apply(x));
        // GLU pairs column j with j + 2: a NaN in either half gives NaN
        float[] in = {Float.NaN, -1, 2, 0.5f, 1, 0.2f, Float.NaN, -3};
        try (Backend b = LayerBackends.open("cpu"); Executable e = b.compile(b.newParameters(1), g.build())) {
            float[] y = e.run(Map.of("x", HostTensor.of(in, 2, 4))).get("y").floats();
            assertTrue(Float.isNaN(y[0]), name + "(NaN) = " + y[0]);
            int last = name.equals("GLU") ? 2 : 6;
            assertTrue(Float.isNaN(y[last]), name + ": the second NaN gave " + y[last]);
            assertEquals(false, Float.isNaN(y[1]), name + "(-1) should be a number");
        }
    }

    @Test
    void argumentsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new CELU(0));
        assertThrows(IllegalArgumentException.class, () -> new Hardtanh(1, -1));
        assertThrows(IllegalArgumentException.class, () -> new PReLU(0, 0.25));
        GraphBuilder g = new GraphBuilder();
        Tensor odd = g.input("x", DType.F32, 2, 3);
        assertThrows(dev.jasg.core.ShapeException.class, () -> new GLU().apply(odd));
        Tensor wrongChannels = g.input("y", DType.F32, 2, 4, 5);
        assertThrows(dev.jasg.core.ShapeException.class, () -> new PReLU(3, 0.25).apply(wrongChannels));
        assertThrows(IllegalArgumentException.class, () -> new InstanceNorm1d(3, 1e-5, false, true));
        assertThrows(IllegalArgumentException.class, () -> ConvOptions.defaults().paddingMode("mirror"));
        assertThrows(IllegalArgumentException.class, () -> new ConvTranspose1d(2, 2, 3, ConvOptions.defaults().paddingMode("reflect")));
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
        Tensor x = g.input("z", DType.F32, 1, 2, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate(x, new int[] {5, 5}, "nearest", true));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate(x, new int[] {5, 5}, "linear", null));
        assertThrows(IllegalArgumentException.class, () -> new MaxUnpool2d(2).apply(x, x));
    }
}
