package dev.jasg.cpu;

import dev.jasg.cpu.ConvKernels.Conv;

import java.util.Arrays;

/**
 * Convolutions with one input channel per group (depthwise, and a first layer on a one-channel
 * image), computed straight from the image: for each output plane, each tap adds a shifted row
 * of its input channel, scaled by the tap's weight, onto the output row, which stays in L1 until
 * all taps are in. As a product these have a depth of {@code kh kw} (9 for 3x3), where the
 * micro-kernel spends its time loading and storing tiles; here every element is read and
 * written once per tap with unit stride (at stride 1), loops the JIT vectorises.
 *
 * <ul>
 *   <li>forward: {@code y[n, o, p, q] = sum_{i,j} w[o, i, j] x[n, o / (O/groups), p sh - pt + i dh, q sw - pl + j dw]};</li>
 *   <li>transposed (one output channel per group too, e.g. depthwise): the adjoint, each tap's scaled
 *       gradient row added onto the input row it read;</li>
 *   <li>kernel gradient: {@code dw[o, i, j] = sum over images and positions of g[n, o, p, q] x[...]}, kept per
 *       (tap, column) in float and summed at the end, so the inner loop is the same vectorisable one;
 *       output channels are split over the threads, each summed in the same order every run.</li>
 * </ul>
 * Planes are split over {@link CpuThreads}. Not thread-safe: an instance belongs to one node of one plan.
 */
final class DirectConv {
    private DirectConv() {}

    /** Per-thread accumulator rows of the kernel gradient. */
    private static final ThreadLocal<float[][]> ACC = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    private static float[] acc(int n) {
        float[][] a = ACC.get();
        if (a[0].length < n) a[0] = new float[n];
        return a[0];
    }

    /** Planes per chunk so a chunk is at least about {@link Gemm#PARALLEL_MIN} multiply-adds. */
    private static int minPlanes(Conv v, int planes) {
        long perPlane = Math.max(1L, (long) v.hw() * v.kh() * v.kw());
        return (int) Math.max(1, Math.min(planes, Gemm.PARALLEL_MIN / perPlane));
    }

    /** Whether {@code v} runs on the flat padded plane with {@link VectorDirectConv}: stride 1 and the Vector API. */
    static boolean flat(Conv v) {
        return Simd.ENABLED && v.sh() == 1 && v.sw() == 1 && !"plain".equals(System.getProperty(ConvKernels.PATH_PROPERTY));
    }

    /**
     * A run of independent tasks (planes or channels) split over {@link CpuThreads}: the three arrays of
     * {@link ConvKernels.Run#run} are held in {@link #a}, {@link #b}, {@link #out} for the run's length only, so a
     * plan builds one per node and a run allocates nothing.
     */
    private abstract static class Split implements ConvKernels.Run {
        float[] a, b, out;
        private final CpuThreads.Range body = this::range;

        /** Tasks of a run. */
        abstract int tasks();

        /** The fewest tasks worth a worker of their own. */
        abstract int minTasks(int tasks);

        /** Tasks {@code [t0, t1)}. */
        abstract void range(int t0, int t1);

        @Override
        public final void run(float[] a, float[] b, float[] out) {
            this.a = a;
            this.b = b;
            this.out = out;
            try {
                int n = tasks();
                CpuThreads.parallelFor(n, minTasks(n), body);
            } finally {
                this.a = this.b = this.out = null;
                // a later run's input may be the same array with new values: pad again
                FLAT.get().owner = null;
            }
        }
    }

    /** A run over the {@code (image, channel)} planes of {@code channels} channels, {@code plane} computing one. */
    private static ConvKernels.Run planes(Conv v, int channels, PlaneBody plane) {
        return new Split() {
            @Override
            int tasks() {
                return v.n() * channels;
            }

            @Override
            int minTasks(int tasks) {
                return minPlanes(v, tasks);
            }

            @Override
            void range(int p0, int p1) {
                for (int pl = p0; pl < p1; pl++) plane.compute(a, b, out, pl / channels, pl % channels);
            }
        };
    }

    /** One plane of a {@link #planes} run. */
    @FunctionalInterface
    private interface PlaneBody {
        void compute(float[] a, float[] b, float[] out, int img, int c);
    }

    /** The fewest output channels worth a worker of their own, for a weight gradient. */
    private static int minChannels(Conv v) {
        long perChannel = (long) v.n() * v.hw() * v.kh() * v.kw();
        return (int) Math.max(1, Gemm.PARALLEL_MIN / Math.max(1, perChannel));
    }

    static ConvKernels.Run forward(Conv v) {
        if (flat(v)) return new Flat(v);
        return planes(v, v.cout(), (x, w, y, img, o) -> forwardPlane(v, x, w, y, img, o));
    }

    /**
     * The input plane of one group, zero-padded and flat: row {@code r} of {@code wp = wo + (kw-1) dw} columns holds input
     * row {@code r - pt} shifted right by {@code pl}, so output {@code (p, q)} reads tap {@code (i, j)} at
     * {@code (p wp + q) + i dh wp + j dw}; the output is computed flat too (the {@code wp - wo} extra columns of each row
     * are dropped) in steps of {@link VectorDirectConv#STEP}, read past the last row into zeros.
     */
    static final class Plane {
        final int wp, hp, len, size;
        final int[] off;

        Plane(Conv v) {
            wp = v.wo() + (v.kw() - 1) * v.dw();
            hp = v.ho() + (v.kh() - 1) * v.dh();
            off = new int[v.kh() * v.kw()];
            for (int i = 0; i < v.kh(); i++) for (int j = 0; j < v.kw(); j++) off[i * v.kw() + j] = i * v.dh() * wp + j * v.dw();
            len = (v.ho() * wp + VectorDirectConv.STEP - 1) / VectorDirectConv.STEP * VectorDirectConv.STEP;
            size = Math.max(hp * wp, len + off[off.length - 1]);
        }

        /** Fills {@code xp} from the plane at {@code x[xo..]}. */
        void fill(Conv v, float[] x, int xo, float[] xp) {
            java.util.Arrays.fill(xp, 0, size, 0f);
            int c0 = Math.max(0, v.pl()), c1 = Math.min(wp, v.pl() + v.w());
            if (c1 <= c0) return;
            for (int r = 0; r < hp; r++) {
                int xr = r - v.pt();
                if (xr < 0 || xr >= v.h()) continue;
                System.arraycopy(x, xo + xr * v.w() + c0 - v.pl(), xp, r * wp + c0, c1 - c0);
            }
        }
    }

    /** Per-thread padded plane and flat output, and which plane the thread last padded (reused across its output channels). */
    private static final class FlatScratch {
        float[] xp = new float[0], out = new float[0];
        Object owner;
        int img = -1, grp = -1;

        float[] xp(int n) {
            if (xp.length < n) xp = new float[n];
            return xp;
        }

        float[] out(int n) {
            if (out.length < n) out = new float[n];
            return out;
        }
    }

    private static final ThreadLocal<FlatScratch> FLAT = ThreadLocal.withInitial(FlatScratch::new);

    /** The padded plane of {@code (img, grp)} in the thread's scratch, filled unless it still holds it for {@code owner}. */
    private static float[] padded(Conv v, Plane pl, float[] x, int img, int grp, Object owner, FlatScratch s) {
        float[] xp = s.xp(pl.size);
        if (s.owner != owner || s.img != img || s.grp != grp) {
            pl.fill(v, x, (img * v.cin() + grp) * v.h() * v.w(), xp);
            s.owner = owner;
            s.img = img;
            s.grp = grp;
        }
        return xp;
    }

    /** Stride-1 forward on the flat padded plane ({@link Plane}), planes split over the threads. */
    static final class Flat extends Split {
        private final Conv v;
        private final Plane plane;

        Flat(Conv v) {
            this.v = v;
            this.plane = new Plane(v);
        }

        @Override
        int tasks() {
            return v.n() * v.cout();
        }

        @Override
        int minTasks(int tasks) {
            return minPlanes(v, tasks);
        }

        @Override
        void range(int p0, int p1) {
            float[] x = a, w = b, y = out;
            FlatScratch s = FLAT.get();
            s.owner = null;
            int taps = v.kh() * v.kw(), wo = v.wo(), wp = plane.wp, hw = v.hw();
            float[] flat = s.out(plane.len);
            for (int pl = p0; pl < p1; pl++) {
                int img = pl / v.cout(), o = pl % v.cout();
                float[] xp = padded(v, plane, x, img, o / v.og(), this, s);
                VectorDirectConv.taps(xp, plane.off, taps, w, o * taps, flat, plane.len);
                int yo = pl * hw;
                for (int p = 0; p < v.ho(); p++) System.arraycopy(flat, p * wp, y, yo + p * wo, wo);
            }
            s.owner = null;
        }
    }

    /** One output plane {@code (img, o)}: each output row gets every tap's shifted, scaled input row. */
    private static void forwardPlane(Conv v, float[] x, float[] w, float[] y, int img, int o) {
        int h = v.h(), wd = v.w(), ho = v.ho(), wo = v.wo(), kh = v.kh(), kw = v.kw(), sw = v.sw();
        int xo = (img * v.cin() + o / v.og()) * h * wd, yo = (img * v.cout() + o) * ho * wo, wOff = o * kh * kw;
        for (int p = 0; p < ho; p++) {
            int row = yo + p * wo;
            Arrays.fill(y, row, row + wo, 0f);
            for (int i = 0; i < kh; i++) {
                int r = p * v.sh() - v.pt() + i * v.dh();
                if (r < 0 || r >= h) continue;
                int src = xo + r * wd;
                for (int j = 0; j < kw; j++) {
                    float t = w[wOff + i * kw + j];
                    int c0 = j * v.dw() - v.pl(), q0 = ConvKernels.firstInside(c0, sw), q1 = ConvKernels.endInside(c0, sw, wd, wo);
                    if (sw == 1) {
                        for (int q = q0, s = src + c0; q < q1; q++) y[row + q] += t * x[s + q];
                    } else {
                        for (int q = q0, s = src + c0 + q0 * sw; q < q1; q++, s += sw) y[row + q] += t * x[s];
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #forward} for one input channel and one output channel per group: {@code v} is the forward convolution. */
    static ConvKernels.Run transposed(Conv v) {
        if (flat(v)) {
            // stride 1: the forward convolution of g with the flipped kernel (one channel per group both ways)
            Flat flipped = new Flat(new Conv(v.n(), v.groups(), v.cout(), v.ho(), v.wo(), v.cin(), v.h(), v.w(), v.kh(), v.kw(), 1, 1,
                    (v.kh() - 1) * v.dh() - v.pt(), (v.kw() - 1) * v.dw() - v.pl(), v.dh(), v.dw()));
            int taps = v.kh() * v.kw();
            float[] wf = new float[v.cout() * taps];
            return (g, w, dx) -> {
                for (int c = 0; c < v.cout(); c++) for (int t = 0; t < taps; t++) wf[c * taps + taps - 1 - t] = w[c * taps + t];
                flipped.run(g, wf, dx);
            };
        }
        return planes(v, v.cin(), (g, w, dx, img, c) -> transposedPlane(v, g, w, dx, img, c));
    }

    /** Input plane {@code (img, c)} of the adjoint: each tap's scaled gradient row added onto the input row it read. */
    private static void transposedPlane(Conv v, float[] g, float[] w, float[] dx, int img, int c) {
        int h = v.h(), wd = v.w(), ho = v.ho(), wo = v.wo(), kh = v.kh(), kw = v.kw(), sw = v.sw();
        // one output channel per group: channel c's only output channel is c
        int xo = (img * v.cin() + c) * h * wd, go = (img * v.cout() + c) * ho * wo, wOff = c * kh * kw;
        Arrays.fill(dx, xo, xo + h * wd, 0f);
        for (int p = 0; p < ho; p++) {
            int src = go + p * wo;
            for (int i = 0; i < kh; i++) {
                int r = p * v.sh() - v.pt() + i * v.dh();
                if (r < 0 || r >= h) continue;
                int dst = xo + r * wd;
                for (int j = 0; j < kw; j++) {
                    float t = w[wOff + i * kw + j];
                    int c0 = j * v.dw() - v.pl(), q0 = ConvKernels.firstInside(c0, sw), q1 = ConvKernels.endInside(c0, sw, wd, wo);
                    if (sw == 1) {
                        for (int q = q0, d = dst + c0; q < q1; q++) dx[d + q] += t * g[src + q];
                    } else {
                        for (int q = q0, d = dst + c0 + q0 * sw; q < q1; q++, d += sw) dx[d] += t * g[src + q];
                    }
                }
            }
        }
    }

    static ConvKernels.Run weightGrad(Conv v) {
        if (flat(v)) return new FlatWeightGrad(v);
        return new Split() {
            @Override
            int tasks() {
                return v.cout();
            }

            @Override
            int minTasks(int tasks) {
                return minChannels(v);
            }

            @Override
            void range(int o0, int o1) {
                float[] acc = acc(v.kh() * v.kw() * v.wo());
                for (int o = o0; o < o1; o++) weightGradChannel(v, a, b, out, o, acc);
            }
        };
    }

    /** {@code dw[o, :, :]}: per tap, a row of column sums over images and output rows, then the row summed. */
    private static void weightGradChannel(Conv v, float[] x, float[] g, float[] dw, int o, float[] acc) {
        int h = v.h(), wd = v.w(), ho = v.ho(), wo = v.wo(), kh = v.kh(), kw = v.kw(), sw = v.sw(), taps = kh * kw;
        Arrays.fill(acc, 0, taps * wo, 0f);
        for (int img = 0; img < v.n(); img++) {
            int xo = (img * v.cin() + o / v.og()) * h * wd, go = (img * v.cout() + o) * ho * wo;
            for (int p = 0; p < ho; p++) {
                int src = go + p * wo;
                for (int i = 0; i < kh; i++) {
                    int r = p * v.sh() - v.pt() + i * v.dh();
                    if (r < 0 || r >= h) continue;
                    int xr = xo + r * wd;
                    for (int j = 0; j < kw; j++) {
                        int a = (i * kw + j) * wo;
                        int c0 = j * v.dw() - v.pl(), q0 = ConvKernels.firstInside(c0, sw), q1 = ConvKernels.endInside(c0, sw, wd, wo);
                        if (sw == 1) {
                            for (int q = q0, s = xr + c0; q < q1; q++) acc[a + q] += g[src + q] * x[s + q];
                        } else {
                            for (int q = q0, s = xr + c0 + q0 * sw; q < q1; q++, s += sw) acc[a + q] += g[src + q] * x[s];
                        }
                    }
                }
            }
        }
        for (int t = 0; t < taps; t++) {
            float s = 0;
            for (int q = 0; q < wo; q++) s += acc[t * wo + q];
            dw[o * taps + t] = s;
        }
    }

    /**
     * Stride-1 kernel gradient on the flat padded plane: output channels split over the threads; each thread pads an
     * image's plane once for all its channels of that group and adds, row by row, every tap's dot product of the
     * gradient row with the shifted input row, in the same order (image, row, tap) whatever the split.
     */
    static final class FlatWeightGrad extends Split {
        private final Conv v;
        private final Plane plane;

        FlatWeightGrad(Conv v) {
            this.v = v;
            this.plane = new Plane(v);
        }

        @Override
        int tasks() {
            return v.cout();
        }

        @Override
        int minTasks(int tasks) {
            return minChannels(v);
        }

        @Override
        void range(int o0, int o1) {
            float[] x = a, g = b, dw = out;
            FlatScratch s = FLAT.get();
            s.owner = null;
            int taps = v.kh() * v.kw(), wo = v.wo(), wp = plane.wp, hw = v.hw(), og = v.og();
            java.util.Arrays.fill(dw, o0 * taps, o1 * taps, 0f);
            for (int img = 0; img < v.n(); img++) {
                for (int o = o0; o < o1; o++) {
                    float[] xp = padded(v, plane, x, img, o / og, this, s);
                    VectorDirectConv.planeDots(g, (img * v.cout() + o) * hw, xp, plane.off, taps, v.ho(), wo, wp, dw, o * taps);
                }
            }
            s.owner = null;
        }
    }
}
