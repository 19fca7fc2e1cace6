package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jasg.core.CompareOp;
import dev.jasg.core.UnaryOp;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each {@link ScalarTwins} twin against its Vector API kernel on the same inputs: the same bits, so a run
 * does not depend on when the JIT compiled the vector kernel ({@link WarmKernels} switches from the twin
 * to it). A row calls both on copies of one random buffer (every branch of the series, NaN, infinities,
 * signed zeros, ranges with and without a tail shorter than a vector) and compares every element.
 *
 * <p>Exact rows must agree bit for bit (erf and GELU among them: {@link #erfAndGeluCompiledGiveTheTwinsBits} checks
 * that again once the JIT has compiled them). Rows whose vector kernel takes {@code exp}, {@code log} or
 * {@code tanh} from {@code lanewise}, which compiled code may take from the JDK's vector math library
 * (within an ulp of the double result) instead of {@code Math}, may differ by an ulp in a few
 * elements in ten thousand: what the vector kernel itself does between its boxed and compiled runs.
 * Softmax and layer norm's row are exact, on rows of every length to 40 and longer ones, with NaN and infinities
 * ({@link #softmaxAndLayerNormRowTwinsComputeTheVectorKernelsBits}), and again once compiled
 * ({@link #softmaxAndLayerNormRowCompiledGiveTheTwinsBits}).
 */
class ScalarTwinsTest {
    /** One kernel run on the buffers: {@code x} and {@code y} inputs, {@code out} the buffer compared. */
    @FunctionalInterface
    private interface Kernel {
        void run(float[] x, float[] y, float[] out, int from, int to);
    }

    /** A kernel and its twin; {@code exact} when they must agree bit for bit everywhere. */
    private record Row(String name, boolean exact, double lo, double hi, Kernel vector, Kernel twin) {}

    private static Row unary(UnaryOp kind, boolean exact, double lo, double hi) {
        Kernel v = switch (kind) {
            case EXP -> (x, y, o, f, t) -> VectorMath.exp(x, f, o, f, t - f);
            case LOG -> (x, y, o, f, t) -> VectorMath.log(x, f, o, f, t - f);
            case TANH -> (x, y, o, f, t) -> VectorMath.tanh(x, f, o, f, t - f);
            case SIGMOID -> (x, y, o, f, t) -> VectorMath.sigmoid(x, f, o, f, t - f);
            case ERF -> (x, y, o, f, t) -> VectorMath.erf(x, f, o, f, t - f);
            case GELU -> (x, y, o, f, t) -> VectorMath.gelu(x, f, o, f, t - f);
            case RELU -> (x, y, o, f, t) -> VectorMath.relu(x, f, o, f, t - f);
            case SILU -> (x, y, o, f, t) -> VectorMath.silu(x, f, o, f, t - f);
            case SOFTPLUS -> (x, y, o, f, t) -> VectorMath.softplus(x, f, o, f, t - f, 1, 20);
            case ELU -> (x, y, o, f, t) -> VectorMath.elu(x, f, o, f, t - f, 1);
            default -> throw new IllegalArgumentException(kind.toString());
        };
        double a = kind == UnaryOp.SOFTPLUS || kind == UnaryOp.ELU ? 1 : 0, b = kind == UnaryOp.SOFTPLUS ? 20 : 0;
        return new Row(kind.toString(), exact, lo, hi, v, (x, y, o, f, t) -> ScalarTwins.unary(kind, a, b, x, f, o, f, t - f));
    }

    private static Row[] rows() {
        return new Row[] {
            unary(UnaryOp.EXP, false, -90, 90),
            unary(UnaryOp.LOG, false, 0, 1e6),
            unary(UnaryOp.TANH, false, -12, 12),
            unary(UnaryOp.SIGMOID, false, -40, 40),
            unary(UnaryOp.SILU, false, -40, 40),
            unary(UnaryOp.SILU, false, -800, 100),
            unary(UnaryOp.SOFTPLUS, false, -40, 40),
            unary(UnaryOp.ELU, false, -20, 5),
            // erf and GELU: exact, their exp is VectorMath.expNeg, exactly specified lane operations
            unary(UnaryOp.ERF, true, -7, 7),
            unary(UnaryOp.ERF, true, -0.7, 0.7),
            unary(UnaryOp.GELU, true, -12, 12),
            unary(UnaryOp.GELU, true, -1, 1),
            unary(UnaryOp.GELU, true, -20, -8),
            unary(UnaryOp.RELU, true, -3, 3),
            // rows of 37: a tail on every vector width; the range's rows only. Exact: exp is VectorMath.expNeg, the sum's order fixed
            new Row("softmax", true, -30, 30, (x, y, o, f, t) -> VectorSoftmax.rows(x, o, 37, false, f / 37, t / 37),
                    (x, y, o, f, t) -> ScalarTwins.softmaxRows(x, o, 37, false, f / 37, t / 37)),
            new Row("logSoftmax", true, -30, 30, (x, y, o, f, t) -> VectorSoftmax.rows(x, o, 37, true, f / 37, t / 37),
                    (x, y, o, f, t) -> ScalarTwins.softmaxRows(x, o, 37, true, f / 37, t / 37)),
        };
    }

    @Test
    void twinsComputeTheVectorKernelsBits() {
        assumeTrue(Simd.ENABLED, "the Vector API kernels are not enabled in this JVM");
        int n = 4099;
        for (Row row : rows()) {
            Random r = new Random(row.name().hashCode());
            long compared = 0, off = 0;
            // ranges of every length mod the vector widths, from several offsets
            for (int trial = 0; trial < 30; trial++) {
                float[] x = new float[n], y = new float[n], a = new float[n], b = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (float) (row.lo() + (row.hi() - row.lo()) * r.nextDouble());
                    y[i] = (float) r.nextGaussian();
                    a[i] = b[i] = (float) r.nextGaussian();
                }
                for (int s = 0; s < 8; s++) x[r.nextInt(n)] = new float[] {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                    Float.MIN_VALUE, -Float.MIN_NORMAL, 1e-30f}[s];
                int from = r.nextInt(40), to = Math.min(n, from + 37 * (1 + r.nextInt(100)) + r.nextInt(37));
                row.vector().run(x, y, a, from, to);
                row.twin().run(x, y, b, from, to);
                for (int i = 0; i < n; i++) {
                    compared++;
                    if (Float.floatToIntBits(a[i]) == Float.floatToIntBits(b[i])) continue;
                    off++;
                    String at = row.name() + " [" + from + ", " + to + ") element " + i + ": vector " + a[i] + ", twin " + b[i];
                    assertTrue(!row.exact(), at);
                    assertEquals(a[i], b[i], Math.ulp(a[i]), at);
                }
            }
            assertTrue(off * 10_000 <= compared, row.name() + ": " + off + " of " + compared + " elements an ulp apart");
        }
    }

    /**
     * erf and GELU called until the JIT has compiled them (a call at a few nanoseconds an element, which boxed code
     * never reaches) and then some, every call's result compared with the twin's bit for bit: their {@code exp}, once
     * {@code lanewise(EXP)}, came from the JDK's vector math library when compiled and differed from the twin in 0.7%
     * of GELU's results. Where the JIT does not compile them within the time allowed (no C2), only the uncompiled
     * calls are compared.
     */
    @Test
    void erfAndGeluCompiledGiveTheTwinsBits() {
        assumeTrue(Simd.ENABLED, "the Vector API kernels are not enabled in this JVM");
        for (UnaryOp kind : new UnaryOp[] {UnaryOp.GELU, UnaryOp.ERF}) {
            Random r = new Random(kind.ordinal());
            int n = 509;
            float[] x = new float[n], a = new float[n], b = new float[n];
            long deadline = System.nanoTime() + 60_000_000_000L;
            int fastCalls = 0;
            for (int call = 0; fastCalls < 3000 && System.nanoTime() < deadline; call++) {
                // mostly the range a transformer's GELU sees, now and then the far tails
                double scale = (call & 7) == 0 ? 20 : 4;
                for (int i = 0; i < n; i++) x[i] = (float) (scale * (2 * r.nextDouble() - 1));
                long t0 = System.nanoTime();
                if (kind == UnaryOp.GELU) VectorMath.gelu(x, 0, a, 0, n);
                else VectorMath.erf(x, 0, a, 0, n);
                if (System.nanoTime() - t0 < 20L * n) fastCalls++;
                ScalarTwins.unary(kind, 0, 0, x, 0, b, 0, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToIntBits(b[i]), Float.floatToIntBits(a[i]),
                            kind + " call " + call + " (" + fastCalls + " compiled) of " + x[i] + ": vector " + a[i] + ", twin " + b[i]);
                }
            }
        }
    }

    /**
     * Row lengths of the softmax and layer norm twin tests: every tail and number of whole vectors to 40, GPT-2's, and
     * rows whose last vector starts a new block of softmax's f32 partial sums or ends a later one (261, 517, 1000).
     */
    private static int[] rowLengths() {
        int[] ns = new int[51];
        for (int i = 0; i < 40; i++) ns[i] = i + 1;
        // layer norm's row is widened to doubles a chunk at a time (VectorNormalize.CHUNK, 4096): 8300 takes three chunks and
        // ends in single vectors and scalars, 2100 the same within one
        int[] more = {64, 128, 130, 261, 517, 768, 1000, 1024, 2100, 3072, 8300};
        System.arraycopy(more, 0, ns, 40, more.length);
        return ns;
    }

    /**
     * {@code rows} rows of {@code n}: Gaussian, scaled by 10, with the special rows softmax must get right: a NaN (row 0),
     * {@code -inf} entries (1), all {@code -inf} (2), {@code +inf} (3), a maximum tied between {@code +0} and {@code -0} (4),
     * a single {@code -0} against {@code -inf} (5, log-softmax's {@code -0 - 0}), a row past the exponential's floor (6).
     */
    private static float[] rowsWithSpecials(Random r, int rows, int n) {
        float[] x = new float[rows * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 10);
        if (rows < 7) return x;
        x[r.nextInt(n)] = Float.NaN;
        for (int j = 0; j < n; j++) {
            if (j % 3 == 0) x[n + j] = Float.NEGATIVE_INFINITY;
            x[2 * n + j] = Float.NEGATIVE_INFINITY;
            x[4 * n + j] = -Math.abs(x[4 * n + j]) - 1;
            x[5 * n + j] = Float.NEGATIVE_INFINITY;
            x[6 * n + j] = -400f * j;
        }
        x[3 * n + r.nextInt(n)] = Float.POSITIVE_INFINITY;
        x[4 * n + r.nextInt(n)] = 0f;
        x[4 * n + r.nextInt(n)] = -0f;
        x[5 * n + r.nextInt(n)] = -0f;
        return x;
    }

    private static void assertSameBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), what + " element " + i + ": twin " + want[i] + ", vector " + got[i]);
        }
    }

    /**
     * {@link VectorSoftmax#rows} and {@link VectorNormalize#row} against their twins bit for bit, rows of every length
     * to 40 and longer ones ({@link #rowLengths}), enough rows for several of softmax's blocks, a range of them only (the rows
     * outside it untouched), layer norm's rows at odd offsets; rows with NaN, infinities and signed zeros. And what
     * those rows must give: NaN for a NaN, {@code +inf} or all {@code -inf}; weight 0 for {@code -inf}.
     */
    @Test
    void softmaxAndLayerNormRowTwinsComputeTheVectorKernelsBits() {
        assumeTrue(Simd.ENABLED, "the Vector API kernels are not enabled in this JVM");
        Random r = new Random(17);
        for (int n : rowLengths()) {
            int rows = Math.max(9, Math.min(150, 2 * 2048 / n + 5));
            float[] x = rowsWithSpecials(r, rows, n);
            for (boolean log : new boolean[] {false, true}) {
                float[] a = new float[x.length], b = new float[x.length];
                java.util.Arrays.fill(a, 7f);
                java.util.Arrays.fill(b, 7f);
                VectorSoftmax.rows(x, a, n, log, 1, rows - 1);
                ScalarTwins.softmaxRows(x, b, n, log, 1, rows - 1);
                String what = (log ? "log_softmax" : "softmax") + " rows of " + n;
                assertSameBits(b, a, what);
                for (int j = 0; j < n; j++) {
                    assertEquals(7f, a[j], what + ": row 0 is outside the range");
                    assertEquals(7f, a[(rows - 1) * n + j], what + ": the last row is outside the range");
                }
                VectorSoftmax.rows(x, a, n, log, 0, 1);
                ScalarTwins.softmaxRows(x, b, n, log, 0, 1);
                assertSameBits(b, a, what + ", row 0");
                for (int j = 0; j < n; j++) {
                    assertTrue(Float.isNaN(a[j]), what + ": a NaN makes its row NaN");
                    assertTrue(Float.isNaN(a[2 * n + j]), what + ": a row of -inf is NaN");
                    assertTrue(Float.isNaN(a[3 * n + j]), what + ": +inf makes its row NaN");
                    if (j % 3 == 0 && n > 1) assertEquals(log ? Float.NEGATIVE_INFINITY : 0f, a[n + j], what + ": -inf weighs 0");
                    else if (j % 3 != 0) assertTrue(Float.isFinite(a[n + j]), what + ": a row with -inf");
                }
            }
            for (int t = 0; t < 6; t++) {
                int base = r.nextInt(8), row = r.nextInt(rows);
                float[] in = new float[base + n];
                System.arraycopy(x, row * n, in, base, n);
                if (t == 0) for (int j = 0; j < n; j++) in[base + j] = (float) (1000 + 1e-3 * r.nextGaussian()); // far from 0, small spread
                float[] a = new float[in.length], b = new float[in.length];
                VectorNormalize.row(in, a, base, n, 1e-5);
                ScalarTwins.normalizeRow(in, b, base, n, 1e-5);
                assertSameBits(b, a, "layer norm row " + row + " of " + n + " at " + base);
            }
        }
    }

    /**
     * Softmax, log-softmax and layer norm's row called until the JIT has compiled them (calls at a few nanoseconds an
     * element, which boxed code never reaches) and then some, every call's result compared with the twin's bit for bit:
     * the compiled code must not reorder the sums. Where the JIT does not compile them within the time allowed (no C2),
     * only the uncompiled calls are compared.
     */
    @Test
    void softmaxAndLayerNormRowCompiledGiveTheTwinsBits() {
        assumeTrue(Simd.ENABLED, "the Vector API kernels are not enabled in this JVM");
        Random r = new Random(23);
        int[] lengths = {128, 37, 768, 130};
        float[][] xs = new float[lengths.length][];
        for (int k = 0; k < lengths.length; k++) xs[k] = rowsWithSpecials(r, 8, lengths[k]);
        for (String kernel : new String[] {"softmax", "layer norm"}) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            int fastCalls = 0;
            for (int call = 0; fastCalls < 3000 && System.nanoTime() < deadline; call++) {
                int k = call % lengths.length, n = lengths[k];
                float[] x = xs[k], a = new float[x.length], b = new float[x.length];
                for (int i = 7 * n; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 10); // a new last row each call
                boolean log = (call & 4) != 0;
                long t0 = System.nanoTime();
                if (kernel.equals("softmax")) {
                    VectorSoftmax.rows(x, a, n, log, 0, 8);
                } else {
                    for (int row = 0; row < 8; row++) VectorNormalize.row(x, a, row * n, n, 1e-5);
                }
                if (System.nanoTime() - t0 < 20L * x.length) fastCalls++;
                if (kernel.equals("softmax")) {
                    ScalarTwins.softmaxRows(x, b, n, log, 0, 8);
                } else {
                    for (int row = 0; row < 8; row++) ScalarTwins.normalizeRow(x, b, row * n, n, 1e-5);
                }
                assertSameBits(b, a, kernel + (log && kernel.equals("softmax") ? " (log)" : "") + " call " + call + " (" + fastCalls + " compiled), rows of " + n);
            }
        }
    }

    /**
     * The GEMM tile twins against {@link VectorGemmKernel#tile} and {@link VectorGemmKernel#tileRows}, bit for bit: depths
     * 0 to 300, accumulating into C or not, C with a leading dimension wider than the tile, inputs with zeros, signed
     * zeros and values whose products round.
     */
    @Test
    void gemmTileTwinsComputeTheVectorTilesBits() {
        assumeTrue(Simd.ENABLED, "the Vector API kernels are not enabled in this JVM");
        int mr = VectorGemmKernel.MR, nr = VectorGemmKernel.NR;
        Random r = new Random(11);
        for (int t = 0; t < 200; t++) {
            int kc = t < 4 ? t : 1 + r.nextInt(300), ldc = nr + r.nextInt(9), lda = kc + r.nextInt(5), ao = r.nextInt(7), bo = r.nextInt(7), co = r.nextInt(7);
            boolean add = (t & 1) != 0;
            float[] ap = new float[ao + Math.max(kc * mr, mr * lda) + 1], bp = new float[bo + kc * nr + 1], c = new float[co + mr * ldc + 1];
            for (float[] x : new float[][] {ap, bp, c}) {
                for (int i = 0; i < x.length; i++) x[i] = r.nextInt(10) == 0 ? (r.nextBoolean() ? 0f : -0f) : (float) r.nextGaussian();
            }
            for (int rows = 0; rows < 2; rows++) {
                float[] a = c.clone(), b = c.clone();
                if (rows == 0) {
                    VectorGemmKernel.tile(kc, ap, ao, bp, bo, a, co, ldc, add);
                    ScalarTwins.gemmTile(kc, ap, ao, bp, bo, b, co, ldc, add);
                } else {
                    VectorGemmKernel.tileRows(kc, ap, ao, lda, bp, bo, a, co, ldc, add);
                    ScalarTwins.gemmTileRows(kc, ap, ao, lda, bp, bo, b, co, ldc, add);
                }
                for (int i = 0; i < c.length; i++) {
                    assertEquals(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i]),
                            (rows == 0 ? "tile" : "tileRows") + " kc " + kc + (add ? " +=" : "") + " element " + i + ": vector " + a[i] + ", twin " + b[i]);
                }
            }
        }
    }

    /**
     * The block twin ({@link Gemm#twinBlock}, {@link ScalarTwins#gemmBlock}) against the block tile by tile
     * ({@link Gemm#blockTiles}: the vector tiles or their twins, the same bits), bit for bit: blocks of every shape
     * against the tile (edge strips of rows and of columns) and larger than the twin's parts, depths from 0, accumulating into C or not, with a bias row,
     * a scalar bias or none, C wider than the block, signed zeros.
     */
    @Test
    void gemmBlockTwinComputesTheTilesBits() {
        assumeTrue(Simd.ENABLED, "the Vector API kernels are not enabled in this JVM");
        int mr = VectorGemmKernel.MR, nr = VectorGemmKernel.NR;
        Random r = new Random(12);
        for (int t = 0; t < 170; t++) {
            // the last rows: blocks larger than the twin's parts (Gemm.TWIN_ROWS x Gemm.TWIN_COLS), shallow
            boolean large = t >= 150;
            int mc = large ? Gemm.TWIN_ROWS + 1 + r.nextInt(2 * Gemm.TWIN_ROWS) : 1 + r.nextInt(3 * mr + 5);
            int nc = large ? Gemm.TWIN_COLS + 1 + r.nextInt(Gemm.TWIN_COLS) : 1 + r.nextInt(3 * nr + 7);
            int kc = t < 3 ? t : 1 + r.nextInt(large ? 12 : 200);
            int ldc = nc + r.nextInt(9), ao = r.nextInt(5), bo = r.nextInt(5), co = r.nextInt(5);
            int mStrips = (mc + mr - 1) / mr, nStrips = (nc + nr - 1) / nr;
            boolean add = r.nextBoolean();
            int biasKind = t % 3, biasStride = biasKind == 2 ? 0 : 1;
            float[] ap = new float[ao + mStrips * kc * mr + 1], bp = new float[bo + nStrips * kc * nr + 1], c = new float[co + mc * ldc + 1];
            float[] bias = new float[nc + 1];
            for (float[] x : new float[][] {ap, bp, c, bias}) {
                for (int i = 0; i < x.length; i++) x[i] = r.nextInt(10) == 0 ? (r.nextBoolean() ? 0f : -0f) : (float) r.nextGaussian();
            }
            float[] a = c.clone(), b = c.clone();
            float[] bs = biasKind == 0 ? null : bias;
            Gemm.blockTiles(mc, nc, kc, ap, ao, bp, bo, a, co, ldc, add, bs, 0, biasStride, new Gemm.Scratch(), true);
            Gemm.twinBlock(mc, nc, kc, ap, ao, bp, bo, b, co, ldc, add, bs, 0, biasStride, new Gemm.Scratch());
            for (int i = 0; i < c.length; i++) {
                assertEquals(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i]), "block " + mc + "x" + nc + " kc " + kc + (add ? " +=" : "")
                        + " bias " + biasKind + " element " + i + ": tiles " + a[i] + ", block twin " + b[i]);
            }
        }
    }

    /**
     * Fused attention's row kernels: the maximum exactly, the weights as {@code exp} above (an ulp in a few of ten
     * thousand at most), the sum of the weights within a few double ulps (its lanes' order), on rows with NaN,
     * infinities and every tail length.
     */
    @Test
    void attentionRowTwinsComputeTheVectorKernelsBits() {
        assumeTrue(Simd.ENABLED, "the Vector API kernels are not enabled in this JVM");
        Random r = new Random(11);
        long compared = 0, off = 0;
        for (int trial = 0; trial < 400; trial++) {
            int n = r.nextInt(300), from = r.nextInt(9);
            float scale = trial % 3 == 0 ? -0.7f : 0.125f + r.nextFloat();
            float[] x = new float[from + n];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 20);
            if (trial % 5 == 0 && n > 0) x[from + r.nextInt(n)] = new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}[trial % 3];
            float[] a = x.clone(), b = x.clone();
            float ma = VectorMath.scaledMax(a, from, n, scale), mb = ScalarTwins.scaledMax(b, from, n, scale);
            assertEquals(Float.floatToIntBits(mb), Float.floatToIntBits(ma), "max of row " + trial);
            double sa = VectorMath.expShifted(a, from, n, scale, ma), sb = ScalarTwins.expShifted(b, from, n, scale, mb);
            if (!(Double.isNaN(sa) && Double.isNaN(sb))) assertEquals(sa, sb, 4 * Math.ulp(sa), "sum of row " + trial);
            for (int i = 0; i < x.length; i++) {
                compared++;
                if (Float.floatToIntBits(a[i]) == Float.floatToIntBits(b[i])) continue;
                off++;
                assertEquals(a[i], b[i], Math.ulp(a[i]), "row " + trial + " element " + i);
            }
        }
        assertTrue(off * 10_000 <= compared, off + " of " + compared + " weights an ulp apart");
    }

    @Test
    void comparisonsAndWhereOfTheTwinLoopsMatchTheVectorKernels() {
        assumeTrue(Simd.ENABLED, "the Vector API kernels are not enabled in this JVM");
        Random r = new Random(5);
        int n = 301;
        float[] x = new float[n + 4], y = new float[n + 4], m = new float[n + 4];
        float[] special = {0f, -0f, Float.NaN, 1f, -1f, Float.POSITIVE_INFINITY};
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
            y[i] = r.nextInt(3) == 0 ? x[i] : (float) r.nextGaussian();
            m[i] = r.nextInt(3) == 0 ? 0f : special[r.nextInt(special.length)];
        }
        // the scalar loops ElementwiseKernels runs until the vector kernels are compiled
        for (CompareOp k : CompareOp.values()) {
            for (int[] st : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
                float[] a = new float[n + 4], b = new float[n + 4];
                VectorMath.compareRow(k, x, 2, st[0], y, 1, st[1], a, 3, n);
                for (int i = 0; i < n; i++) b[3 + i] = k.test(x[2 + i * st[0]], y[1 + i * st[1]]) ? 1f : 0f;
                assertEquals(Arrays.toString(b), Arrays.toString(a), k + " strides " + Arrays.toString(st));
            }
        }
        for (int[] st : new int[][] {{1, 1}, {1, 0}, {0, 1}, {0, 0}}) {
            float[] a = new float[n + 4], b = new float[n + 4];
            VectorMath.whereRow(m, 1, 1, x, 2, st[0], y, 3, st[1], a, 0, n);
            for (int i = 0; i < n; i++) b[i] = m[1 + i] != 0 ? x[2 + i * st[0]] : y[3 + i * st[1]];
            for (int i = 0; i < n; i++) assertEquals(Float.floatToIntBits(b[i]), Float.floatToIntBits(a[i]), "where strides " + Arrays.toString(st) + " at " + i);
        }
    }
}
