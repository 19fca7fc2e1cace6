package dev.jasg.testkit;

import dev.jasg.core.Backend;
import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The convolution and max-pooling kernels of a device backend against the reference interpreter over a grid of
 * geometries: strides, symmetric and asymmetric padding, dilation, groups (depthwise too), batch above one, sizes that
 * cross tile boundaries, fixed windows with padding, dilation and ceil mode, adaptive windows, ties, NaN and
 * infinities. The Vulkan and OpenCL backends' {@code ConvKernelsTest} run these.
 *
 * <p>Stateless; each check builds and closes its own executables.
 */
public final class ConvPoolCases {
    private ConvPoolCases() {}

    /** Every output of {@code g} on {@code device} against the reference interpreter, within {@code tol} ({@link SmallOpCases#assertClose}). */
    public static void compare(Backend device, String what, GraphBuilder g, Map<String, HostTensor> feeds, double tol) {
        var graph = g.build();
        try (Backend reference = new ReferenceBackend(); var e = device.compile(graph); var r = reference.compile(graph)) {
            Outputs want = r.run(feeds);
            Map<String, HostTensor> expected = new LinkedHashMap<>();
            for (String name : want.names()) expected.put(name, want.get(name));
            Outputs got = e.run(feeds);
            for (var en : expected.entrySet()) SmallOpCases.assertClose(what + " " + en.getKey(), en.getValue(), got.get(en.getKey()), tol);
        }
    }

    /** One convolution: batch, channels, size, output channels, kernel and geometry. */
    public record Conv(String name, int n, int c, int h, int w, int o, int kh, int kw, ConvGeometry g) {}

    /** The convolution grid. */
    public static List<Conv> convs() {
        return List.of(
                // tiled path, tiles cut by every edge (M = 70, K = 180, columns = 2 * 13 * 13)
                new Conv("gemm 3x3", 2, 20, 13, 13, 70, 3, 3, ConvGeometry.of(1, 1, 1, 1)),
                new Conv("gemm stride 2 asymmetric pad", 2, 17, 12, 11, 33, 3, 2, new ConvGeometry(2, 2, 1, 0, 0, 1, 1, 1, 1)),
                new Conv("gemm dilation 2 stride 3x1", 3, 16, 14, 10, 24, 3, 3, new ConvGeometry(3, 1, 2, 1, 1, 2, 2, 2, 1)),
                new Conv("gemm groups 2", 2, 24, 9, 9, 40, 3, 3, ConvGeometry.of(1, 1, 1, 2)),
                new Conv("gemm 1x1 stride 2", 2, 32, 10, 10, 130, 1, 1, ConvGeometry.of(2, 0, 1, 1)),
                // a pointwise convolution: one product per image where the backend takes that path
                new Conv("gemm 1x1", 2, 24, 9, 7, 40, 1, 1, ConvGeometry.of(1, 0, 1, 1)),
                new Conv("gemm 5x5 pad 2 dilation 3x1", 1, 6, 16, 15, 20, 5, 5, new ConvGeometry(1, 2, 2, 2, 3, 1, 3, 1, 1)),
                new Conv("gemm kernel larger than input", 2, 8, 4, 5, 16, 5, 6, new ConvGeometry(1, 1, 2, 1, 3, 0, 1, 1, 1)),
                // 128 x 128 tiles (chosen from 128 workgroups on): 8 groups of 128 channels over 2 * 32 * 32 columns
                new Conv("gemm 128x128 tiles", 2, 16, 32, 32, 1024, 3, 3, ConvGeometry.of(1, 1, 1, 8)),
                // 3x3 stride 1 over 16 channels and more (a backend's Winograd path): padding 2 on top, 1 on the right only,
                // so the output is 10 x 8 from 10 x 9, its 2 x 2 tiles cut by neither edge one way and both the other
                new Conv("winograd 3x3 asymmetric pad", 3, 16, 10, 9, 24, 3, 3, new ConvGeometry(1, 1, 2, 0, 0, 1, 1, 1, 1)),
                // direct path: thin channels, depthwise, depthwise with a multiplier
                new Conv("direct few channels", 2, 3, 11, 9, 5, 3, 3, new ConvGeometry(2, 1, 1, 2, 0, 1, 1, 2, 1)),
                new Conv("depthwise 3x3", 2, 12, 10, 10, 12, 3, 3, ConvGeometry.of(1, 1, 1, 12)),
                new Conv("depthwise x2 stride 2 dilation 2", 2, 8, 13, 12, 16, 3, 3, new ConvGeometry(2, 2, 2, 1, 1, 2, 2, 2, 8)),
                new Conv("average-pool kernel", 3, 5, 9, 9, 5, 2, 2, new ConvGeometry(2, 2, 0, 1, 0, 1, 1, 1, 5)));
    }

    /** conv2d, its input gradient (a transposed convolution) and its kernel gradient (also of a cropped gradient). */
    public static void checkConvolution(Backend device, Conv cv) {
        {
            ConvGeometry g = cv.g();
            int ho = g.outH(cv.h(), cv.kh()), wo = g.outW(cv.w(), cv.kw());
            int opH = cv.h() - g.transposedH(ho, cv.kh(), 0), opW = cv.w() - g.transposedW(wo, cv.kw(), 0);
            SplittableRandom r = new SplittableRandom(cv.name().hashCode());
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.input("x", DType.F32, cv.n(), cv.c(), cv.h(), cv.w());
            Tensor w = b.input("w", DType.F32, cv.o(), cv.c() / g.groups(), cv.kh(), cv.kw());
            Tensor gy = b.input("gy", DType.F32, cv.n(), cv.o(), ho, wo);
            b.output("y", x.conv2d(w, g));
            // the input gradient of conv2d: a transposed convolution back to x's size
            b.output("dx", gy.convTranspose2d(w, g, opH, opW));
            b.output("dw", x.conv2dWeightGrad(gy, g, cv.kh(), cv.kw()));
            Map<String, HostTensor> feeds = new LinkedHashMap<>(Map.of("x", TestTensors.uniform(r, cv.n(), cv.c(), cv.h(), cv.w()),
                    "w", TestTensors.uniform(r, cv.o(), cv.c() / g.groups(), cv.kh(), cv.kw()), "gy", TestTensors.uniform(r, cv.n(), cv.o(), ho, wo)));
            if (ho > 1 && wo > 1) {
                // a gradient smaller than the convolution's output (the rest is zero)
                Tensor gs = b.input("gs", DType.F32, cv.n(), cv.o(), ho - 1, wo - 1);
                b.output("dw_cropped", x.conv2dWeightGrad(gs, g, cv.kh(), cv.kw()));
                feeds.put("gs", TestTensors.uniform(r, cv.n(), cv.o(), ho - 1, wo - 1));
            }
            compare(device, cv.name(), b, feeds, 1e-5);
        }
    }

    /** Transposed convolutions with output padding, asymmetric padding and groups, on both paths. */
    public static void transposedConvolutionsWithOutputPaddingAndGroups(Backend device) {
        SplittableRandom r = new SplittableRandom(11);
        // stride 3 with output padding 2x1, asymmetric padding, groups 2: both paths (Cout/groups = 20 and 3)
        for (int cout : new int[] {40, 6}) {
            ConvGeometry g = new ConvGeometry(3, 2, 1, 2, 0, 1, 1, 2, 2);
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.input("x", DType.F32, 2, 18, 7, 6);
            Tensor w = b.input("w", DType.F32, 18, cout / 2, 4, 3);
            b.output("y", x.convTranspose2d(w, g, 2, 1));
            compare(device, "conv_transpose2d cout=" + cout, b, Map.of("x", TestTensors.uniform(r, 2, 18, 7, 6), "w", TestTensors.uniform(r, 18, cout / 2, 4, 3)), 1e-5);
        }
    }

    /** A transposed convolution over 128 x 128 tiles. */
    public static void transposedConvolutionWithLargeTiles(Backend device) {
        SplittableRandom r = new SplittableRandom(13);
        // Cout/groups = 128 rows over 2 * 32 * 32 columns, 8 groups: 128 workgroups of 128 x 128
        compareOne(device, "conv_transpose2d 128x128", r, new int[] {2, 16, 32, 32}, new int[] {16, 128, 3, 3}, ConvGeometry.of(1, 1, 1, 8), true);
    }

    /** One conv2d (or transposed convolution) of random {@code x} and {@code w} against the reference interpreter. */
    private static void compareOne(Backend device, String what, SplittableRandom r, int[] xShape, int[] wShape, ConvGeometry g, boolean transposed) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, Shape.of(xShape));
        Tensor w = b.input("w", DType.F32, Shape.of(wShape));
        b.output("y", transposed ? x.convTranspose2d(w, g, 0, 0) : x.conv2d(w, g));
        compare(device, what, b, Map.of("x", TestTensors.uniform(r, xShape), "w", TestTensors.uniform(r, wShape)), 1e-5);
    }

    /**
     * conv2d on 64 x 256 tiles where the backend takes them for a reduction of 16 (64 output channels a group, 128
     * workgroups: 16 groups of 64 channels over 32 x 64 columns, a 1x1 conv2d over 16 channels a group), and a 3x3
     * transposed convolution over 2 channels a group of the same size.
     */
    public static void convolutionWithWideTiles(Backend device) {
        SplittableRandom r = new SplittableRandom(14);
        compareOne(device, "conv2d 64x256", r, new int[] {1, 256, 32, 64}, new int[] {1024, 16, 1, 1}, ConvGeometry.of(1, 0, 1, 16), false);
        compareOne(device, "conv_transpose2d 64x256", r, new int[] {1, 32, 32, 64}, new int[] {32, 64, 3, 3}, ConvGeometry.of(1, 1, 1, 16), true);
    }

    /** Kernel gradients with 128-wide tiles, a long reduction and the depthwise direct path. */
    public static void weightGradientWithLongReductionAndLargeTiles(Backend device) {
        SplittableRandom r = new SplittableRandom(12);
        // 128 groups of 128 x 128 kernel elements (Cg = 8, 4x4): 128-wide tiles, a reduction of 4 * 4
        ConvGeometry g = ConvGeometry.of(1, 0, 1, 128);
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, 1, 1024, 7, 7);
        Tensor gy = b.input("gy", DType.F32, 1, 16384, 4, 4);
        b.output("dw", x.conv2dWeightGrad(gy, g, 4, 4));
        compare(device, "weight grad 128x128", b, Map.of("x", TestTensors.uniform(r, 1, 1024, 7, 7), "gy", TestTensors.uniform(r, 1, 16384, 4, 4)), 1e-5);
        // a long reduction (3 * 30 * 30 terms) over few tiles, and the depthwise direct path
        for (int groups : new int[] {1, 16}) {
            ConvGeometry gg = ConvGeometry.of(1, 1, 1, groups);
            GraphBuilder bb = new GraphBuilder();
            Tensor xx = bb.input("x", DType.F32, 3, 16, 30, 30);
            Tensor gg2 = bb.input("gy", DType.F32, 3, 32, 30, 30);
            bb.output("dw", xx.conv2dWeightGrad(gg2, gg, 3, 3));
            compare(device, "weight grad groups=" + groups, bb, Map.of("x", TestTensors.uniform(r, 3, 16, 30, 30), "gy", TestTensors.uniform(r, 3, 32, 30, 30)), 1e-5);
        }
    }

    /** The pooling windows. */
    public static List<PoolWindow> windows() {
        return List.of(
                PoolWindow.Fixed.of(2, 2, 0),
                PoolWindow.Fixed.of(3, 2, 1),
                new PoolWindow.Fixed(3, 2, 2, 1, 1, 1, 1, 1, true),
                new PoolWindow.Fixed(3, 3, 2, 2, 0, 1, 2, 1, true),
                new PoolWindow.Fixed(2, 3, 3, 2, 1, 1, 2, 3, false),
                new PoolWindow.Fixed(4, 4, 1, 1, 2, 2, 1, 1, false),
                new PoolWindow.Adaptive(5, 4),
                new PoolWindow.Adaptive(1, 1),
                new PoolWindow.Adaptive(13, 3),
                new PoolWindow.Adaptive(20, 17),
                // more windows reach one scatter tile than its shared table holds: the per-element fallback
                new PoolWindow.Adaptive(100, 90));
    }

    /** Max-pool select and scatter with ties, NaN and infinities. */
    public static void checkMaxPool(Backend device, PoolWindow win) {
        {
            int n = 2, c = 3, h = 13, w = 11;
            SplittableRandom r = new SplittableRandom(win.hashCode());
            float[] xs = new float[n * c * h * w];
            // small integers make ties common; a few NaNs and infinities test the arg-max rule
            for (int i = 0; i < xs.length; i++) xs[i] = r.nextInt(5) - 2;
            xs[7] = Float.NaN;
            xs[40] = Float.NaN;
            xs[41] = Float.NaN;
            xs[100] = Float.NEGATIVE_INFINITY;
            xs[200] = Float.POSITIVE_INFINITY;
            int ho = win.outSize(0, h), wo = win.outSize(1, w);
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.input("x", DType.F32, n, c, h, w);
            Tensor u = b.input("u", DType.F32, n, c, h, w);
            Tensor gp = b.input("g", DType.F32, n, c, ho, wo);
            b.output("pool", x.maxPoolSelect(u, win));
            b.output("scatter", x.maxPoolScatter(gp, win));
            compare(device, win.toString(), b, Map.of("x", HostTensor.of(xs, n, c, h, w), "u", TestTensors.uniform(r, n, c, h, w), "g", TestTensors.uniform(r, n, c, ho, wo)), 1e-6);
        }
    }

    /** Max pooling on planes wider than a workgroup row. */
    public static void maxPoolOnWidePlanes(Backend device) {
        // wide planes (more than a workgroup per row), windows straddling the workgroup edges
        int n = 2, c = 2, h = 21, w = 75;
        SplittableRandom r = new SplittableRandom(21);
        for (PoolWindow win : List.of(PoolWindow.Fixed.of(3, 2, 1), new PoolWindow.Fixed(3, 3, 1, 1, 1, 1, 1, 1, false),
                new PoolWindow.Fixed(2, 3, 2, 2, 1, 1, 3, 2, true), new PoolWindow.Adaptive(7, 9), new PoolWindow.Adaptive(1, 1))) {
            float[] xs = new float[n * c * h * w];
            for (int i = 0; i < xs.length; i++) xs[i] = r.nextInt(7) - 3;
            int ho = win.outSize(0, h), wo = win.outSize(1, w);
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.input("x", DType.F32, n, c, h, w);
            Tensor gp = b.input("g", DType.F32, n, c, ho, wo);
            b.output("pool", x.maxPool2d(win));
            b.output("scatter", x.maxPoolScatter(gp, win));
            compare(device, win.toString(), b, Map.of("x", HostTensor.of(xs, n, c, h, w), "g", TestTensors.uniform(r, n, c, ho, wo)), 1e-6);
        }
    }
}
