package dev.jasg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConvolutionLayersTest {

    private static int convOut(int n, int k, int s, int p, int d) {
        return (n + 2 * p - d * (k - 1) - 1) / s + 1;
    }

    @Test
    void conv2dShapesFollowPyTorchsFormulaOverAGrid() {
        int count = 0;
        for (int stride : new int[] {1, 2, 3}) {
            for (int pad : new int[] {0, 1, 2}) {
                for (int dil : new int[] {1, 2}) {
                    for (int groups : new int[] {1, 2, 4}) {
                        for (int k : new int[] {1, 3}) {
                            GraphBuilder g = new GraphBuilder();
                            Tensor x = g.input("x", DType.F32, "B", 4, 9, 8);
                            Tensor y = LayerBackends.wrap("c", new Conv2d(4, 8, k, ConvOptions.defaults().stride(stride).padding(pad).dilation(dil).groups(groups))).apply(x);
                            assertEquals(Shape.symbolic("B", 8, convOut(9, k, stride, pad, dil), convOut(8, k, stride, pad, dil)), y.shape(),
                                    "stride " + stride + " pad " + pad + " dilation " + dil + " groups " + groups + " kernel " + k);
                            Tensor t = LayerBackends.wrap("t", new ConvTranspose2d(8, 4, k, ConvOptions.defaults().stride(stride).padding(pad).dilation(dil).groups(groups)
                                    .outputPadding(stride > 1 ? 1 : 0))).apply(y);
                            int ho = y.shape().dim(2), wo = y.shape().dim(3);
                            int op = stride > 1 ? 1 : 0;
                            assertEquals(Shape.symbolic("B", 4, (ho - 1) * stride - 2 * pad + dil * (k - 1) + op + 1,
                                    (wo - 1) * stride - 2 * pad + dil * (k - 1) + op + 1), t.shape());
                            count++;
                        }
                    }
                }
            }
        }
        assertEquals(108, count);
    }

    @Test
    void poolShapesFollowPyTorchsFormulaOverAGrid() {
        for (int k : new int[] {2, 3}) {
            for (int s : new int[] {1, 2}) {
                for (int p = 0; p <= k / 2; p++) {
                    for (boolean ceil : new boolean[] {false, true}) {
                        GraphBuilder g = new GraphBuilder();
                        Tensor x = g.input("x", DType.F32, 2, 3, 7, 6);
                        int h = out(7, k, s, p, ceil), w = out(6, k, s, p, ceil);
                        assertEquals(Shape.of(2, 3, h, w), new MaxPool2d(k, s, p, 1, ceil).apply(x).shape());
                        assertEquals(Shape.of(2, 3, h, w), new AvgPool2d(k, s, p, ceil, true, 0).apply(x).shape());
                    }
                }
            }
        }
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 3, 7, 5);
        assertEquals(Shape.symbolic("B", 3, 3, 2), new AdaptiveMaxPool2d(3, 2).apply(x).shape());
        assertEquals(Shape.symbolic("B", 3, 1, 1), new AdaptiveAvgPool2d(1).apply(x).shape());
    }

    /** PyTorch's pooling output size, with the ceil-mode rule that the last window starts inside the input or left padding. */
    private static int out(int n, int k, int s, int p, boolean ceil) {
        int span = n + 2 * p - (k - 1) - 1;
        int o = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (o - 1) * s >= n + p) o--;
        return o;
    }

    @Test
    void samePaddingKeepsTheSizeAndRejectsStrides() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 1, 2, 6, 7);
        assertEquals(Shape.of(1, 3, 6, 7), LayerBackends.wrap("a", new Conv2d(2, 3, 4, ConvOptions.defaults().padding("same"))).apply(x).shape());
        assertEquals(Shape.of(1, 3, 6, 7), LayerBackends.wrap("b", new Conv2d(2, 3, 3, ConvOptions.defaults().padding("same").dilation(2))).apply(x).shape());
        assertEquals(Shape.of(1, 3, 4, 5), LayerBackends.wrap("c", new Conv2d(2, 3, 3, ConvOptions.defaults().padding("valid"))).apply(x).shape());
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(2, 3, 3, ConvOptions.defaults().padding("same").stride(2)));
        assertThrows(IllegalArgumentException.class, () -> ConvOptions.defaults().padding("full"));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3, ConvOptions.defaults().groups(2)));
        assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(2, 2, 3, ConvOptions.defaults().stride(2).outputPadding(2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3).apply(x));
        assertTrue(e.getMessage().contains("expected 3 input channels"), e.getMessage());
    }

    @Test
    void parametersHavePyTorchsShapesAndInitBounds() {
        Layer net = LayerBackends.wrap("conv", new Conv2d(4, 6, 3, ConvOptions.defaults().groups(2)));
        assertEquals(Shape.of(6, 2, 3, 3), net.namedParameters().get("conv.weight").shape());
        assertEquals(Shape.of(6), net.namedParameters().get("conv.bias").shape());
        Layer t = LayerBackends.wrap("up", new ConvTranspose2d(4, 6, 2, ConvOptions.defaults().groups(2).bias(false)));
        assertEquals(Shape.of(4, 3, 2, 2), t.namedParameters().get("up.weight").shape());
        assertEquals(1, t.namedParameters().size());
        try (Backend b = LayerBackends.open("cpu")) {
            var params = b.newParameters(3);
            GraphBuilder g = new GraphBuilder();
            g.output("y", net.apply(g.input("x", DType.F32, 1, 4, 5, 5)));
            try (Executable e = b.compile(params, g.build())) {
                double bound = 1 / Math.sqrt(2 * 3 * 3);
                for (String name : new String[] {"conv.weight", "conv.bias"}) {
                    for (float v : e.parameters().get(name).floats()) assertTrue(Math.abs(v) <= bound + 1e-7, name + " " + v + " > " + bound);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "vulkan"})
    void convolutionMatchesAHandComputedCase(String backend) {
        // x = 1..16 on a 4x4 plane, kernel [[1,0],[0,-1]], stride 2: y[p,q] = x[2p,2q] - x[2p+1,2q+1] = -5 everywhere
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 1, 1, 4, 4);
        Tensor w = g.constant(HostTensor.of(new float[] {1, 0, 0, -1}, 1, 1, 2, 2));
        g.output("y", x.conv2d(w, dev.jasg.core.ConvGeometry.of(2, 0, 1, 1)));
        g.output("pool", x.maxPool2d(dev.jasg.core.PoolWindow.Fixed.of(2, 2, 0)));
        g.output("avg", new AvgPool2d(3, 1, 1, false, false, 0).apply(x));
        float[] xs = new float[16];
        for (int i = 0; i < 16; i++) xs[i] = i + 1;
        try (Backend b = LayerBackends.open(backend); Executable e = b.compile(g.build())) {
            Outputs o = e.run(Map.of("x", HostTensor.of(xs, 1, 1, 4, 4)));
            assertArrayEquals(new float[] {-5, -5, -5, -5}, o.get("y").floats(), 1e-6f);
            assertArrayEquals(new float[] {6, 8, 14, 16}, o.get("pool").floats(), 1e-6f);
            // corner (0,0): mean of 1,2,5,6 = 3.5 (padding not counted); centre (1,1): mean of 1..3,5..7,9..11 = 6
            float[] avg = o.get("avg").floats();
            assertEquals(3.5f, avg[0], 1e-6f);
            assertEquals(6f, avg[5], 1e-6f);
            assertEquals((1 + 2 + 3 + 5 + 6 + 7) / 6f, avg[1], 1e-6f);
        }
    }

    /** {@code <conv(x), y> = <x, conv_transpose(y)>} for the same weight and options: the transposed layer is the adjoint. */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "vulkan"})
    void convTransposeIsTheAdjointOfConv(String backend) {
        int[][] cases = {{1, 1, 1, 1}, {2, 1, 1, 1}, {2, 2, 1, 2}, {1, 0, 2, 4}, {3, 1, 1, 2}};
        SplittableRandom r = new SplittableRandom(7);
        for (int[] c : cases) {
            int stride = c[0], pad = c[1], dil = c[2], groups = c[3];
            ConvOptions opts = ConvOptions.defaults().stride(stride).padding(pad).dilation(dil).groups(groups).bias(false);
            GraphBuilder g = new GraphBuilder();
            Tensor x = g.input("x", DType.F32, 2, 4, 9, 8);
            Tensor w = g.input("w", DType.F32, 8, 4 / groups, 3, 3);
            Tensor cx = x.conv2d(w, opts.geometry("test", 3, 3, false));
            Shape ys = cx.shape();
            int oph = 9 - (((ys.dim(2) - 1) * stride) - 2 * pad + dil * 2 + 1), opw = 8 - (((ys.dim(3) - 1) * stride) - 2 * pad + dil * 2 + 1);
            Tensor y = g.input("y", DType.F32, ys);
            Tensor ty = y.convTranspose2d(w, opts.geometry("test", 3, 3, true), oph, opw);
            assertEquals(x.shape(), ty.shape());
            g.output("lhs", cx.mul(y).sum());
            g.output("rhs", x.mul(ty).sum());
            Map<String, HostTensor> feeds = Map.of("x", random(r, x.shape()), "w", random(r, w.shape()), "y", random(r, ys));
            try (Backend b = LayerBackends.open(backend); Executable e = b.compile(g.build())) {
                Outputs o = e.run(feeds);
                double lhs = o.get("lhs").floats()[0], rhs = o.get("rhs").floats()[0];
                assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)), "stride " + stride + " pad " + pad + " dilation " + dil + " groups " + groups);
            }
        }
    }

    private static HostTensor random(SplittableRandom r, Shape s) {
        float[] v = new float[s.sizeInt()];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        return HostTensor.of(v, s.dims());
    }
}
