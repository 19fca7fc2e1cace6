package dev.jasg.gpu;

import dev.jasg.core.PoolWindow;

/**
 * GLSL kernels of the max-pooling primitives on NCHW tensors: the selection
 * {@code y[n,c,p,q] = u[n,c,argmax of x over window (p,q)]} and its adjoint, the scatter
 * {@code y[n,c,r,s] = sum of g[n,c,p,q] over the windows whose arg-max is (r,s)}, in gather
 * form (deterministic, no atomics).
 *
 * <p>Both kernels describe a window axis by the closed form
 * {@code start(o) = floor((o A + B) / D)}, {@code taps(o) = floor((o A + E) / D) - start(o)},
 * tap {@code t} at {@code start(o) + t step}, which covers fixed windows ({@code A = stride,
 * B = -pad, D = 1, E = kernel - pad}) and adaptive ones ({@code A = n, B = 0, D = out,
 * E = n + out - 1}); {@link #windowAxis} checks it against {@link PoolWindow#start} and
 * {@link PoolWindow#taps} for every output position, so the shader agrees with the host's
 * windows by construction. (Per-position tables would not fit the 128 bytes of push constants,
 * and a plan has no side buffers.) The selection scans its window as the reference does
 * (first tap inside the input, replaced by any larger or NaN tap). The scatter is the gather
 * form of the adjoint: each input element {@code r} walks the windows that can contain it (a
 * contiguous range per axis, up to {@code floor(((r+1) D - B - 1) / A)}), takes each window's
 * arg-max and sums the gradients of those whose arg-max it is.
 *
 * <p>Every kernel rounds what it stores with the node's {@code mode} (see {@link Lowering#mode}).
 */
final class PoolKernels {
    private PoolKernels() {}

    /** Push ints of one window axis: A, B, D, E, step (see the class comment). */
    static final int AXIS_INTS = 5;

    /**
     * The closed form {@code A, B, D, E, step} of {@code win}'s windows along {@code axis} for an
     * input of size {@code n}, checked against {@link PoolWindow#start}/{@link PoolWindow#taps} at
     * every output position and for the monotonicity the scatter's window walk relies on; null
     * when the form does not describe the windows or would overflow 32-bit arithmetic.
     */
    static int[] windowAxis(PoolWindow win, int axis, int n) {
        int out = win.outSize(axis, n);
        long a, b, d, e;
        switch (win) {
            case PoolWindow.Fixed f -> {
                int k = axis == 0 ? f.kernelH() : f.kernelW(), s = axis == 0 ? f.strideH() : f.strideW(), p = axis == 0 ? f.padH() : f.padW();
                a = s;
                b = -p;
                d = 1;
                e = k - p;
            }
            case PoolWindow.Adaptive ad -> {
                a = n;
                b = 0;
                d = out;
                e = n + out - 1L;
            }
        }
        int step = win.step(axis);
        if (a < 1 || d < 1 || step < 1) return null;
        long limit = Integer.MAX_VALUE / 2;
        // the largest intermediates: o A + E and (r + 1) D - B for o < out, r < n
        if ((long) out * a + Math.abs(e) + Math.abs(b) > limit || (n + 1L) * d + Math.abs(b) > limit) return null;
        long prevStart = Long.MIN_VALUE, prevEnd = Long.MIN_VALUE;
        for (int o = 0; o < out; o++) {
            long start = Math.floorDiv(o * a + b, d), taps = Math.floorDiv(o * a + e, d) - start;
            if (start != win.start(axis, o, n) || taps != win.taps(axis, o, n)) return null;
            long end = start + (taps - 1) * step + 1;
            if (start < prevStart || end < prevEnd) return null;
            prevStart = start;
            prevEnd = end;
        }
        return new int[] {(int) a, (int) b, (int) d, (int) e, step};
    }

    /**
     * GLSL of {@code int NAME(PARAMS, int p, int q)}: the plane offset of the arg-max of window
     * {@code (p, q)} (-1 when no tap lies inside the input) with the reference's rule, reading
     * tap {@code (r, c)} as {@code read}.
     */
    private static String argmaxFunction(String name, String params, String read) {
        return """
                int NAME(PARAMS, int p, int q) {
                    int r0 = wStart(0, p), nr = wTaps(0, p), c0 = wStart(1, q), nc = wTaps(1, q), sr = pc.win[4], sc = pc.win[9];
                    int best = -1;
                    float bv = -INF;
                    for (int a = 0; a < nr; a++) {
                        int r = r0 + a * sr;
                        if (r < 0 || r >= pc.H) continue;
                        for (int b = 0; b < nc; b++) {
                            int c = c0 + b * sc;
                            if (c < 0 || c >= pc.W) continue;
                            float v = READ;
                            if (best < 0) best = r * pc.W + c;
                            if (v > bv || isNaN(v)) { bv = v; best = r * pc.W + c; }  // the last NaN wins, as in PyTorch and the reference
                        }
                    }
                    return best;
                }
                """.replace("NAME", name).replace("PARAMS", params).replace("READ", read);
    }

    private static final String WINDOW = """
            // fixed windows divide by 1: skip the (costly) integer division there
            int fdiv(int a, int d) { if (d == 1) return a; int q = a / d; return q * d > a ? q - 1 : q; }
            int wStart(int ax, int o) { return fdiv(o * pc.win[ax * 5] + pc.win[ax * 5 + 1], pc.win[ax * 5 + 2]); }
            int wTaps(int ax, int o) { return fdiv(o * pc.win[ax * 5] + pc.win[ax * 5 + 3], pc.win[ax * 5 + 2]) - wStart(ax, o); }
            ARGMAX
            """;

    /** {@code y[plane, p, q] = u[plane, argmax]}, one invocation per output. Push: count, mode, H, W, Ho, Wo, win[10]. */
    static Kernel maxPoolSelect() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer Y { float y[]; };
                layout(std430, binding = 1) readonly buffer X { float x[]; };
                layout(std430, binding = 2) readonly buffer U { float u[]; };
                layout(push_constant) uniform P { int count; uint mode; int H; int W; int Ho; int Wo; int win[10]; } pc;
                WINDOW
                void main() {
                    uint id = flatId();
                    if (id >= uint(pc.count)) return;
                    int e = int(id);
                    int q = e % pc.Wo, t = e / pc.Wo, p = t % pc.Ho, plane = t / pc.Ho;
                    int base = plane * pc.H * pc.W;
                    int k = argmax(base, p, q);
                    y[id] = rnd(k < 0 ? -INF : u[base + k], pc.mode);
                }
                """.replace("WINDOW", WINDOW.replace("ARGMAX", argmaxFunction("argmax", "int base", "x[base + r * pc.W + c]")));
        return new Kernel("max_pool_select", src, 3);
    }

    /** Columns of a scatter workgroup's tile of 256 elements: no wider than the plane needs. */
    static int scatterTileWidth(int w) {
        return w <= 8 ? 8 : w <= 16 ? 16 : 32;
    }

    /**
     * {@code y[plane, r, c] = sum of g[plane, p, q]} over the windows {@code (p, q)} whose arg-max
     * is {@code (r, c)}, one invocation per input element, a workgroup per {@code 256 / tileW x tileW}
     * tile of a plane ({@link #scatterTileWidth}). The windows whose extent covers {@code r} form a
     * range along each axis (windows start and end in order): from the first whose last tap
     * reaches {@code r} to the last that starts at or before it. When the windows reaching the tile
     * are few and read a small region ({@code CAP}, {@code XCAP}: small, because on an H200 a few
     * KiB more shared memory per workgroup cost more occupancy than they saved), the workgroup
     * loads that region into shared memory (all loads in flight at once), finds each window's
     * arg-max there once and each invocation sums the gradients of the windows containing its
     * element whose arg-max it is; otherwise each invocation recomputes the arg-maxes of its
     * windows from global memory (overlapping windows then hit the cache). Push: total
     * workgroups, mode, H, W, Ho, Wo, win[10], tilesX, tilesY, tileW.
     */
    static Kernel maxPoolScatter() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer Y { float y[]; };
                layout(std430, binding = 1) readonly buffer X { float x[]; };
                layout(std430, binding = 2) readonly buffer G { float g[]; };
                layout(push_constant) uniform P { int count; uint mode; int H; int W; int Ho; int Wo; int win[10]; int tilesX; int tilesY; int tileW; } pc;
                #define CAP 256
                #define XCAP 512
                shared int amax[CAP];
                shared float xs[XCAP];
                // per row and column of the tile: its first and last window
                shared int rowLo[32], rowHi[32], colLo[32], colHi[32];
                WINDOW
                // Last window along ax whose start is <= r (windows start in order).
                int lastWindow(int ax, int r, int count) {
                    return min(count - 1, fdiv((r + 1) * pc.win[ax * 5 + 2] - pc.win[ax * 5 + 1] - 1, pc.win[ax * 5]));
                }
                // Last tap of window o along ax.
                int lastTap(int ax, int o) { return wStart(ax, o) + (wTaps(ax, o) - 1) * pc.win[ax * 5 + 4]; }
                // First window along ax whose last tap is >= r, given the last one starting <= r.
                int firstWindow(int ax, int r, int last) {
                    int o = last;
                    while (o >= 0 && lastTap(ax, o) >= r) o--;
                    return o + 1;
                }
                // Whether r is a tap of window o along ax, given that o's extent covers r.
                bool isTap(int ax, int o, int r) {
                    int step = pc.win[ax * 5 + 4];
                    return step == 1 || (r - wStart(ax, o)) % step == 0;
                }
                void main() {
                    int wg = int(groupId());
                    if (wg >= pc.count) return;
                    int tx = wg % pc.tilesX, t = wg / pc.tilesX, ty = t % pc.tilesY, plane = t / pc.tilesY;
                    int lid = int(gl_LocalInvocationID.x);
                    int tw = pc.tileW, th = 256 / tw;
                    int r0 = ty * th, c0 = tx * tw, r1 = min(r0 + th, pc.H) - 1, c1 = min(c0 + tw, pc.W) - 1;
                    int pHi = lastWindow(0, r1, pc.Ho), qHi = lastWindow(1, c1, pc.Wo);
                    int pLo = firstWindow(0, r0, lastWindow(0, r0, pc.Ho)), qLo = firstWindow(1, c0, lastWindow(1, c0, pc.Wo));
                    int nr = max(pHi - pLo + 1, 0), nc = max(qHi - qLo + 1, 0);
                    int base = plane * pc.H * pc.W, gb = plane * pc.Ho * pc.Wo;
                    // the part of the plane those windows read
                    int R0 = 0, C0 = 0, rh = 0, rw = 0;
                    if (nr > 0 && nc > 0) {
                        R0 = max(0, wStart(0, pLo));
                        C0 = max(0, wStart(1, qLo));
                        rh = max(min(pc.H - 1, lastTap(0, pHi)) - R0 + 1, 0);
                        rw = max(min(pc.W - 1, lastTap(1, qHi)) - C0 + 1, 0);
                    }
                    bool fits = nr * nc <= CAP && rh * rw <= XCAP;
                    if (fits) {
                        for (int e = lid; e < rh * rw; e += 256) xs[e] = x[base + (R0 + e / rw) * pc.W + C0 + e % rw];
                        if (lid < th) {
                            int hi = lastWindow(0, min(r0 + lid, r1), pc.Ho);
                            rowHi[lid] = hi;
                            rowLo[lid] = firstWindow(0, min(r0 + lid, r1), hi);
                        } else if (lid < th + tw) {
                            int hi = lastWindow(1, min(c0 + lid - th, c1), pc.Wo);
                            colHi[lid - th] = hi;
                            colLo[lid - th] = firstWindow(1, min(c0 + lid - th, c1), hi);
                        }
                        barrier();
                        for (int w = lid; w < nr * nc; w += 256) amax[w] = argmaxShared(R0, C0, rw, pLo + w / nc, qLo + w % nc);
                        barrier();
                    }
                    int lr = lid / tw, lc = lid % tw, r = r0 + lr, c = c0 + lc;
                    if (r > r1 || c > c1) return;
                    int self = r * pc.W + c;
                    float acc = 0.0;
                    if (fits) {
                        for (int p = rowLo[lr]; p <= rowHi[lr]; p++) {
                            if (!isTap(0, p, r)) continue;
                            for (int q = colLo[lc]; q <= colHi[lc]; q++) {
                                if (isTap(1, q, c) && amax[(p - pLo) * nc + q - qLo] == self) acc += g[gb + p * pc.Wo + q];
                            }
                        }
                    } else {
                        int pTop = lastWindow(0, r, pc.Ho), qTop = lastWindow(1, c, pc.Wo);
                        for (int p = firstWindow(0, r, pTop); p <= pTop; p++) {
                            if (!isTap(0, p, r)) continue;
                            for (int q = firstWindow(1, c, qTop); q <= qTop; q++) {
                                if (isTap(1, q, c) && argmax(base, p, q) == self) acc += g[gb + p * pc.Wo + q];
                            }
                        }
                    }
                    y[base + self] = rnd(acc, pc.mode);
                }
                """.replace("WINDOW", WINDOW.replace("ARGMAX", argmaxFunction("argmax", "int base", "x[base + r * pc.W + c]")
                + argmaxFunction("argmaxShared", "int R0, int C0, int rw", "xs[(r - R0) * rw + c - C0]")));
        return new Kernel("max_pool_scatter", src, 3);
    }
}
