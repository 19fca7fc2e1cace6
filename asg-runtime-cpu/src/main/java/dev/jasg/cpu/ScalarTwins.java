package dev.jasg.cpu;

import dev.jasg.core.UnaryOp;

/**
 * Scalar twins of the Vector API kernels: the same arithmetic, operation for operation, in plain
 * Java that the JIT compiles within milliseconds. {@link WarmKernels} (elementwise kernels) and
 * {@link GemmWarm} (the GEMM tiles) run a twin until the JIT has compiled the vector kernel; before that the vector kernel runs boxed (every lane operation an
 * object and a call, interpreted or C1-compiled without the intrinsics), a hundred times slower
 * than its twin, and that, not the arithmetic, was most of a fresh JVM's first training step.
 *
 * <p>Bit for bit: each twin performs each lane's operations in the vector kernel's order, a
 * {@link Math#fma} where the vector code fuses ({@code FloatVector.fma} rounds once, as
 * {@code Math.fma} does), the same scalar code for the tail shorter than a vector, and the same
 * split of the range into a vector part and a tail. So a run's results do not depend on when the
 * JIT finished. Two places where the vector kernels themselves depend on the JIT are mirrored as
 * the uncompiled vector code computes them: {@code lanewise(EXP/LOG/TANH)}, which compiled code
 * may take from the JDK's vector math library (within an ulp of the double result, so the f32
 * result differs about once in 10^8), and {@code reduceLanes(ADD)}, which compiled code may sum
 * in another order (the lanes of {@link #expShifted}'s double sum; softmax and layer norm add their lanes in a fixed
 * order instead, and are exact). The f32 lanes of erf and GELU
 * do not take {@code exp} from {@code lanewise}: that made about 0.7% of GELU's results (AVX2, over
 * [-12, 12]) differ by a few ulps between compiled and uncompiled code. Their {@code exp} is
 * {@link VectorMath#expNeg}, exactly specified lane operations that {@link #expNeg} repeats, so erf and
 * GELU give the same bits boxed, compiled and twinned.
 *
 * <p>Every method has the signature of the vector kernel it twins, except {@link #gemmBlock}, which twins a whole block of
 * GEMM tiles at once (its caller's scratch rows passed in). Stateless; only called when {@link Simd#ENABLED}, since the
 * lane counts come from the Vector API's preferred species ({@link VectorWidth}).
 */
final class ScalarTwins {
    /** Double lanes of the preferred species: the lanes {@link VectorMath}'s functions evaluate in. */
    static final int DL = VectorWidth.preferredBits() / 64;

    /** Float lanes of the preferred species: the lanes {@link VectorMath#erf} and {@link VectorMath#gelu} evaluate in. */
    static final int FL = VectorWidth.preferredBits() / 32;
    // the f32 erf/GELU constants are VectorMath's own (only called where the Vector API is enabled, so it loads)
    private static final float INV_SQRT_2F = VectorMath.INV_SQRT_2F, ERF_SPLIT = VectorMath.ERF_SPLIT;
    private static final float C0_HI = VectorMath.C0_HI, C0_LO = VectorMath.C0_LO;
    private static final float[] TAYLOR_TAIL = VectorMath.TAYLOR_TAIL, ERFCX = VectorMath.ERFCX;

    private ScalarTwins() {}

    // ---- elementwise (VectorMath) --------------------------------------------------------------

    /**
     * The twin of {@link VectorMath}'s function for {@code kind} (EXP, LOG, TANH, SIGMOID, ERF, GELU, RELU, SILU, SOFTPLUS, ELU):
     * {@code out[oo+i] = kind(x[xo+i]; a, b)} for {@code i < n}, {@code a} and {@code b} the function's parameters (softplus,
     * ELU; unused by the others).
     */
    static void unary(UnaryOp kind, double a, double b, float[] x, int xo, float[] out, int oo, int n) {
        // the vector kernels do whole vectors from the start (DL double lanes, or FL float lanes for erf and GELU),
        // then the tail with the scalar functions
        int vd = n / DL * DL, vf = n / FL * FL;
        switch (kind) {
            case EXP -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.exp(x[xo + i]); }
            case LOG -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.log(x[xo + i]); }
            case TANH -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.tanh(x[xo + i]); }
            case SIGMOID -> {
                for (int i = 0; i < vd; i++) out[oo + i] = (float) (1.0 / (Math.exp(-(double) x[xo + i]) + 1));
                for (int i = vd; i < n; i++) out[oo + i] = (float) dev.jasg.core.SpecialFunctions.sigmoid(x[xo + i]);
            }
            case ERF -> {
                for (int i = 0; i < vf; i++) out[oo + i] = erfLane(x[xo + i]);
                for (int i = vf; i < n; i++) out[oo + i] = (float) FloatFunctions.erf(x[xo + i]);
            }
            case GELU -> {
                for (int i = 0; i < vf; i++) out[oo + i] = geluLane(x[xo + i]);
                for (int i = vf; i < n; i++) out[oo + i] = (float) FloatFunctions.gelu(x[xo + i]);
            }
            case RELU -> { for (int i = 0; i < n; i++) out[oo + i] = x[xo + i] <= 0 ? 0f : x[xo + i]; }
            case SILU -> { for (int i = 0; i < n; i++) out[oo + i] = VectorMath.siluLane(x[xo + i]); }
            case SOFTPLUS -> { for (int i = 0; i < n; i++) out[oo + i] = VectorMath.softplusLane(x[xo + i], a, b); }
            case ELU -> { for (int i = 0; i < n; i++) out[oo + i] = VectorMath.eluLane(x[xo + i], a); }
            default -> throw new IllegalArgumentException("no vector kernel for " + kind);
        }
    }

    /** {@link VectorMath#TAYLOR_TAIL} and {@link VectorMath#ERFCX} as constants, for {@link #taylorTail} and {@link #erfcx}. */
    private static final float T0 = TAYLOR_TAIL[0], T1 = TAYLOR_TAIL[1], T2 = TAYLOR_TAIL[2], T3 = TAYLOR_TAIL[3], T4 = TAYLOR_TAIL[4],
            T5 = TAYLOR_TAIL[5], T6 = TAYLOR_TAIL[6], T7 = TAYLOR_TAIL[7], T8 = TAYLOR_TAIL[8];
    private static final float X0 = ERFCX[0], X1 = ERFCX[1], X2 = ERFCX[2], X3 = ERFCX[3], X4 = ERFCX[4], X5 = ERFCX[5], X6 = ERFCX[6],
            X7 = ERFCX[7], X8 = ERFCX[8], X9 = ERFCX[9];

    /**
     * Horner's rule on {@link VectorMath#TAYLOR_TAIL} at {@code x2}, written out (as the vector kernel's loop over the
     * coefficients runs it: one fused multiply-add a coefficient from the first): C1, which compiles the twins first,
     * does not unroll a loop over an array, and a fresh JVM's first step runs erf and GELU through it.
     */
    private static float taylorTail(float x2) {
        return Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(T0, x2, T1), x2, T2), x2, T3), x2, T4), x2, T5), x2, T6),
                x2, T7), x2, T8);
    }

    /** Horner's rule on {@link VectorMath#ERFCX} at {@code t}, written out as {@link #taylorTail}. */
    private static float erfcx(float t) {
        return Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(X0, t, X1), t, X2), t, X3), t, X4), t, X5), t, X6),
                t, X7), t, X8), t, X9);
    }

    /** {@link VectorMath#EXP_POLY}'s coefficients as constants: the softmax twin calls {@link #expNeg} for each element, and C1 does not unroll a loop over an array ({@link #taylorTail}). */
    private static final float E0 = VectorMath.EXP_POLY[0], E1 = VectorMath.EXP_POLY[1], E2 = VectorMath.EXP_POLY[2], E3 = VectorMath.EXP_POLY[3],
            E4 = VectorMath.EXP_POLY[4], E5 = VectorMath.EXP_POLY[5], E6 = VectorMath.EXP_POLY[6];

    /** One lane of {@link VectorMath#expNeg} shifted: {@code exp(max(t, EXP_FLOOR))}, softmax's exponential of {@code t = x - max}. */
    static float expNegFloored(float t) {
        return expNeg(t < VectorMath.EXP_FLOOR ? VectorMath.EXP_FLOOR : t);
    }

    /** One lane of {@link VectorMath#expNeg}, operation for operation. */
    static float expNeg(float x) {
        float kb = Math.fma(x, VectorMath.LOG2E, VectorMath.EXP_SHIFT), k = kb - VectorMath.EXP_SHIFT;
        float r = Math.fma(k, -VectorMath.LN2_LO, x - k * VectorMath.LN2_HI);
        // horner(EXP_POLY, r), written out
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(E0, r, E1), r, E2), r, E3), r, E4), r, E5), r, E6);
        int ki = Float.floatToRawIntBits(kb) - VectorMath.EXP_SHIFT_BITS, k1 = ki >> 1, k2 = ki - k1;
        return p * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
    }

    /** One lane of {@link VectorMath#erf}: both branches as the kernel computes them, then its blend. */
    static float erfLane(float v) {
        float ax = Math.abs(v), x2 = v * v;
        float small = Math.fma(v, C0_HI, v * Math.fma(x2, taylorTail(x2), C0_LO));
        if (!(ax >= ERF_SPLIT)) return small;
        float z = Math.min(ax, 13f);
        float hi = z * z, lo = Math.fma(z, z, -hi);
        float e = expNeg(-hi) * (1f - lo) * erfcx(1f / Math.fma(z, 0.5f, 1f));
        float large = 1f - e;
        return v < 0f ? -large : large;
    }

    /** {@link VectorMath#GELU_ERFCX}'s coefficients as constants, for {@link #geluErfcx}. */
    private static final float G0 = VectorMath.GELU_ERFCX[0], G1 = VectorMath.GELU_ERFCX[1], G2 = VectorMath.GELU_ERFCX[2],
            G3 = VectorMath.GELU_ERFCX[3], G4 = VectorMath.GELU_ERFCX[4], G5 = VectorMath.GELU_ERFCX[5], G6 = VectorMath.GELU_ERFCX[6],
            G7 = VectorMath.GELU_ERFCX[7], G8 = VectorMath.GELU_ERFCX[8], G9 = VectorMath.GELU_ERFCX[9], G10 = VectorMath.GELU_ERFCX[10];

    /** Horner's rule on {@link VectorMath#GELU_ERFCX} at {@code t}, written out as {@link #taylorTail}. */
    private static float geluErfcx(float t) {
        return Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(G0, t, G1), t, G2), t, G3), t, G4), t, G5),
                t, G6), t, G7), t, G8), t, G9), t, G10);
    }

    /** {@code exp(-x^2/2)} as GELU's lanes compute it, {@code |x|} clamped to 18: {@code exp(-hi) (1 - lo)}, {@code x^2/2 = hi + lo}. */
    private static float gaussLane(float a) {
        float a2 = a * a, hi = a2 * 0.5f, lo = Math.fma(a, a, -a2) * 0.5f;
        return expNeg(-hi) * (1f - lo);
    }

    /** One lane of {@link VectorMath#geluDerivative}, operation for operation. */
    static float geluDerivativeLane(float v) {
        float a = Math.min(Math.abs(v), 18f), gauss = gaussLane(a);
        float e = gauss * geluErfcx(1f / Math.fma(a, INV_SQRT_2F * 0.5f, 1f));
        float cdf = v < 0f ? 0.5f * e : 1f - 0.5f * e;
        return Math.fma(v, gauss * VectorMath.INV_SQRT_2PI_F, cdf);
    }

    /** One lane of {@link VectorMath#gelu}. */
    static float geluLane(float v) {
        float half = v * 0.5f, a = Math.min(Math.abs(v), 18f);
        float e = gaussLane(a) * geluErfcx(1f / Math.fma(a, INV_SQRT_2F * 0.5f, 1f));
        return v < 0f ? half * e : v * (1f - 0.5f * e);
    }

    /**
     * The twin of {@link VectorSoftmax#rows}, row by row (a row's bits do not depend on the kernel's blocks of rows).
     * A row of at least {@link #FL} elements: the maximum in {@code 4 FL} lanes over the first {@code n / (4 FL) * (4 FL)}
     * elements, the first {@code FL} of them for the whole vectors after and then for the row's last {@code FL}
     * elements, {@code x > m ? x : m} each, then the lanes' maximum ({@link Math#max}, in any order: no NaN gets into a
     * lane); {@code exp(x - m)} by {@link #expNeg}, its argument clamped to the floor; the exponentials of the whole
     * vectors and then of the tail, in the last lanes of one more vector (as the row's last vector holds them), summed
     * in {@link #FL} f32 lanes, {@link VectorSoftmax#F32_VECTORS} vectors at a time, each partial sum's lane {@code l} added into
     * double lane {@code l} (the vector's two widened halves), then lane {@code l} of the low half plus lane {@code l} of
     * the high, those in order. A shorter row: element by element, the sum in double in order. The same final pass.
     */
    static void softmaxRows(float[] x, float[] out, int n, boolean log, int r0, int r1) {
        int whole = n / FL * FL, quad = n / (4 * FL) * (4 * FL), tail = n - whole;
        float[] maxLanes = new float[4 * FL], part = new float[FL];
        double[] lanes = ROW_LANES.get();
        for (int r = r0; r < r1; r++) {
            int base = r * n, end = base + n, vend = base + whole;
            float m = Float.NEGATIVE_INFINITY;
            double s = 0;
            if (whole > 0) {
                java.util.Arrays.fill(maxLanes, Float.NEGATIVE_INFINITY);
                int i = base;
                for (; i < base + quad; i += 4 * FL) for (int l = 0; l < 4 * FL; l++) if (x[i + l] > maxLanes[l]) maxLanes[l] = x[i + l];
                for (; i < vend; i += FL) for (int l = 0; l < FL; l++) if (x[i + l] > maxLanes[l]) maxLanes[l] = x[i + l];
                if (tail > 0) for (int l = 0; l < FL; l++) if (x[end - FL + l] > maxLanes[l]) maxLanes[l] = x[end - FL + l];
                for (float v : maxLanes) m = Math.max(m, v);
                java.util.Arrays.fill(lanes, 0, FL, 0.0);
                for (i = base; i < vend + (tail > 0 ? FL : 0); ) {
                    int stop = Math.min(vend + (tail > 0 ? FL : 0), i + VectorSoftmax.F32_VECTORS * FL);
                    java.util.Arrays.fill(part, 0f);
                    for (; i < stop; i += FL) {
                        // the last vector ends at the row's end; its lanes before the tail do not count again
                        int at = Math.min(i, end - FL);
                        for (int l = at == i ? 0 : FL - tail; l < FL; l++) {
                            float e = expNegFloored(x[at + l] - m);
                            if (!log) out[at + l] = e;
                            part[l] += e;
                        }
                    }
                    for (int l = 0; l < FL; l++) lanes[l] += part[l];
                }
                for (int l = 0; l < DL; l++) s += lanes[l] + lanes[l + DL];
            } else {
                for (int i = base; i < end; i++) m = x[i] > m ? x[i] : m;
                for (int i = base; i < end; i++) {
                    float e = expNegFloored(x[i] - m);
                    if (!log) out[i] = e;
                    s += e;
                }
            }
            if (log) {
                double ls = Math.log(s);
                for (int i = base; i < end; i++) out[i] = (float) (((double) x[i] - m) - ls);
            } else {
                float inv = (float) (1 / s);
                for (int i = base; i < end; i++) out[i] *= inv;
            }
        }
    }

    // ---- layer norm's row (VectorNormalize) --------------------------------------------------------

    /**
     * The twin of {@link VectorNormalize#row}: each sum of the first {@code r / (4 DL) * (4 DL)} elements in {@code 4 DL}
     * double lanes, of the whole {@code DL}-blocks after them in the first {@code DL} lanes, the four groups of
     * {@code DL} lanes added as {@code (0 + 1) + (2 + 3)} lane by lane, those in order, then the tail in order; the
     * squared deviations each one fused multiply-add.
     */
    static void normalizeRow(float[] x, float[] out, int base, int r, double eps) {
        final int block = 4 * DL;
        int end = base + r, w4 = base + r / block * block, w1 = base + r / DL * DL;
        double[] lanes = ROW_LANES.get();
        java.util.Arrays.fill(lanes, 0, block, 0.0);
        int i = base;
        for (; i < w4; i += block) for (int l = 0; l < block; l++) lanes[l] += x[i + l];
        for (; i < w1; i += DL) for (int l = 0; l < DL; l++) lanes[l] += x[i + l];
        double s = sumLanes(lanes);
        for (; i < end; i++) s += x[i];
        double mean = s / r;
        java.util.Arrays.fill(lanes, 0, block, 0.0);
        for (i = base; i < w4; i += block) {
            for (int l = 0; l < block; l++) {
                double c = x[i + l] - mean;
                lanes[l] = Math.fma(c, c, lanes[l]);
            }
        }
        for (; i < w1; i += DL) {
            for (int l = 0; l < DL; l++) {
                double c = x[i + l] - mean;
                lanes[l] = Math.fma(c, c, lanes[l]);
            }
        }
        double sq = sumLanes(lanes);
        for (; i < end; i++) {
            double c = x[i] - mean;
            sq = Math.fma(c, c, sq);
        }
        double rstd = 1 / Math.sqrt(sq / r + eps);
        for (i = base; i < end; i++) out[i] = (float) ((x[i] - mean) * rstd);
    }

    /** {@link #normalizeRow}'s lanes: the four groups of {@code DL} added lane by lane as {@code (0 + 1) + (2 + 3)}, then in order from 0. */
    private static double sumLanes(double[] lanes) {
        double s = 0;
        for (int l = 0; l < DL; l++) s += (lanes[l] + lanes[l + DL]) + (lanes[l + 2 * DL] + lanes[l + 3 * DL]);
        return s;
    }

    /** {@link #softmaxRows}' and {@link #normalizeRow}'s lane sums, one array per thread (they do not nest). */
    private static final ThreadLocal<double[]> ROW_LANES = ThreadLocal.withInitial(() -> new double[Math.max(FL, 4 * DL)]);

    // ---- GEMM (VectorGemmKernel) -------------------------------------------------------------------

    /**
     * The twin of {@link VectorGemmKernel#tile}: {@code C[r, j] (+)= sum_p Ap[p*MR + r] Bp[p*NR + j]} for the
     * {@code MR x NR} tile, each element one fused multiply-add a step in the order of {@code p}, from C or from +0 as
     * the vector kernel's lane does, so the same bits. Blocks of 2 rows x 4 columns are kept in locals for the whole
     * depth (the C1-compiled loop runs at about a third of a nanosecond a multiply-add).
     */
    static void gemmTile(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        gemmTile(kc, ap, ao, VectorGemmKernel.MR, 1, bp, bo, c, co, ldc, add);
    }

    /**
     * The twin of {@code Gemm.block}'s tiles over a whole block, {@code C[0:mc, 0:nc] (+)= Ap Bp} at depth {@code kc}
     * ({@code ap} from {@code ao}: strips of {@code MR} rows, each {@code kc} steps of {@code MR}; {@code bp} from
     * {@code bo}: strips of {@code NR} columns, each {@code kc} steps of {@code NR}), the same bits as the vector tiles:
     * each element one fused multiply-add a step in the order of the depth, from C where a whole tile starts from it
     * ({@code start}), else from +0 and then added to C (or stored) as an edge tile is merged. Row by row over the whole
     * width, with each row of C and each depth step of B's strips in arrays of their own ({@code rows}: at least
     * {@code mc} rows of {@code nc}; {@code brow}: {@code nc}): a loop C2 vectorises ({@link #axpy}), where it does not
     * vectorise a tile's 32 columns; in a fresh JVM the block ran the transformer's products in 0.6 of the tiles' time at
     * once and 0.45 once compiled (one thread, 2-vCPU AMD EPYC Zen 5).
     */
    static void gemmBlock(int mc, int nc, int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean start,
                          float[][] rows, float[] brow) {
        final int mr = VectorGemmKernel.MR, nr = VectorGemmKernel.NR;
        int fullRows = mc / mr * mr, fullCols = nc / nr * nr, strips = (nc + nr - 1) / nr;
        for (int i = 0; i < mc; i++) {
            float[] y = rows[i];
            int from = 0;
            if (start && i < fullRows) {
                System.arraycopy(c, co + i * ldc, y, 0, fullCols);
                from = fullCols;
            }
            java.util.Arrays.fill(y, from, nc, 0f);
        }
        for (int p = 0; p < kc; p++) {
            for (int js = 0; js < strips; js++) System.arraycopy(bp, bo + (js * kc + p) * nr, brow, js * nr, Math.min(nr, nc - js * nr));
            for (int i = 0; i < mc; i++) axpy(ap[ao + ((i / mr) * kc + p) * mr + i % mr], brow, rows[i], nc);
        }
        for (int i = 0; i < mc; i++) {
            float[] y = rows[i];
            int at = co + i * ldc, from = i < fullRows ? fullCols : 0;
            System.arraycopy(y, 0, c, at, from);
            if (start) {
                for (int j = from; j < nc; j++) c[at + j] += y[j];
            } else {
                System.arraycopy(y, from, c, at + from, nc - from);
            }
        }
    }

    /** {@code y[j] = fma(u, x[j], y[j])} for {@code j < n}: two arrays at the same offset, which C2's SuperWord vectorises. */
    private static void axpy(float u, float[] x, float[] y, int n) {
        for (int j = 0; j < n; j++) y[j] = Math.fma(u, x[j], y[j]);
    }

    /** The twin of {@link VectorGemmKernel#tileRows}: A unpacked, row-major, {@code A[r, p] = a[ao + r*lda + p]}. */
    static void gemmTileRows(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        gemmTile(kc, a, ao, 1, lda, bp, bo, c, co, ldc, add);
    }

    /** The tile with {@code A[r, p] = a[ao + p*ps + r*rs]}. */
    private static void gemmTile(int kc, float[] a, int ao, int ps, int rs, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final int mr = VectorGemmKernel.MR, nr = VectorGemmKernel.NR;
        for (int r = 0; r < mr; r += 2) {
            int a0 = ao + r * rs, a1 = a0 + rs, c0 = co + r * ldc, c1 = c0 + ldc;
            for (int j = 0; j < nr; j += 4) {
                float x0, x1, x2, x3, y0, y1, y2, y3;
                if (add) {
                    x0 = c[c0 + j]; x1 = c[c0 + j + 1]; x2 = c[c0 + j + 2]; x3 = c[c0 + j + 3];
                    y0 = c[c1 + j]; y1 = c[c1 + j + 1]; y2 = c[c1 + j + 2]; y3 = c[c1 + j + 3];
                } else {
                    x0 = x1 = x2 = x3 = y0 = y1 = y2 = y3 = 0f;
                }
                for (int p = 0, b = bo + j; p < kc; p++, b += nr) {
                    float u = a[a0 + p * ps], v = a[a1 + p * ps];
                    float b0 = bp[b], b1 = bp[b + 1], b2 = bp[b + 2], b3 = bp[b + 3];
                    x0 = Math.fma(u, b0, x0); x1 = Math.fma(u, b1, x1); x2 = Math.fma(u, b2, x2); x3 = Math.fma(u, b3, x3);
                    y0 = Math.fma(v, b0, y0); y1 = Math.fma(v, b1, y1); y2 = Math.fma(v, b2, y2); y3 = Math.fma(v, b3, y3);
                }
                c[c0 + j] = x0; c[c0 + j + 1] = x1; c[c0 + j + 2] = x2; c[c0 + j + 3] = x3;
                c[c1 + j] = y0; c[c1 + j + 1] = y1; c[c1 + j + 2] = y2; c[c1 + j + 3] = y3;
            }
        }
    }

    // ---- fused attention's rows (VectorMath) -----------------------------------------------------

    /** The twin of {@link VectorMath#scaledMax} (a maximum does not depend on the order it is taken in). */
    static float scaledMax(float[] x, int o, int n, float scale) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, x[o + i] * scale);
        return m;
    }

    /** The twin of {@link VectorMath#expShifted}: the sum in {@link #DL} lanes, then the tail, then the lanes added in order. */
    static double expShifted(float[] x, int o, int n, float scale, double shift) {
        int vend = n / DL * DL;
        double[] lanes = LANES.get();
        java.util.Arrays.fill(lanes, 0.0);
        for (int i = 0; i < vend; i++) {
            double e = Math.exp((double) (x[o + i] * scale) - shift);
            x[o + i] = (float) e;
            lanes[i % DL] += e;
        }
        double s = 0;
        for (int i = vend; i < n; i++) {
            double e = Math.exp((double) (x[o + i] * scale) - shift);
            x[o + i] = (float) e;
            s += e;
        }
        double sum = 0;
        for (double l : lanes) sum += l;
        return s + sum;
    }

    /** {@link #expShifted}'s lane sums, one array per thread (a row of attention is not worth an allocation). */
    private static final ThreadLocal<double[]> LANES = ThreadLocal.withInitial(() -> new double[DL]);
}
