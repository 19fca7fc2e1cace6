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

    /** {@code y[plane, p, q] = u[plane, argmax]}, one invocation per output. Push: count, mode, H, W, Ho, Wo, win[10]. */
    static Kernel maxPoolSelect() {
        return GlslKernels.kernel("max_pool_select", "max_pool_select.comp", 3);
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
        return GlslKernels.kernel("max_pool_scatter", "max_pool_scatter.comp", 3);
    }
}
