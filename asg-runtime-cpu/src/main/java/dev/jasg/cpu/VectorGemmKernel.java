package dev.jasg.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked GEMM micro-kernel on the Java Vector API: one {@code MR x NR} tile
 * {@code C[MR,NR] (+)= Ap[kc,MR]^T Bp[kc,NR]} from the panels {@link Gemm} packed, with
 * {@code NR = 2} vectors of the preferred species. Every step of {@code p} loads two vectors of
 * B and broadcasts {@code MR} elements of A into {@code 2 MR} fused multiply-adds on
 * accumulators that stay in registers for the whole {@code kc} loop (the tile methods are
 * unrolled, one method per tile height, so each accumulator is a local variable C2 keeps in a
 * register, and no vector ever crosses a call, which would box it):
 * the tile height is {@link KernelChoice}'s: {@code MR = 12} on AVX-512 (24 accumulators of 32
 * registers), {@code MR = 4} on AVX2 (8 accumulators, 2 B vectors and the step's 4 broadcasts in 16
 * registers), {@code MR = 8} on 32-register ISAs without embedded broadcasts (AArch64); {@code MR = 6}
 * and {@code 8} elsewhere only through {@code -Djasg.cpu.tileRows}, to measure them.
 *
 * <p>Only {@link Gemm} touches this class, and only after it found the
 * {@code jdk.incubator.vector} module in the boot layer, so the class is never loaded (and
 * never fails to link) without it. Nothing in its signatures mentions a vector type.
 */
final class VectorGemmKernel {
    /** The preferred species, unless {@link KernelChoice} was told another width ({@code -Djasg.cpu.vectorBits}). */
    private static final VectorSpecies<Float> S = KernelChoice.CHOSEN.vectorBits() == FloatVector.SPECIES_PREFERRED.vectorBitSize()
            ? FloatVector.SPECIES_PREFERRED : VectorSpecies.of(float.class, VectorShape.forBitSize(KernelChoice.CHOSEN.vectorBits()));
    private static final int V = S.length();
    /** Rows of a tile: {@link KernelChoice} picks one of its {@link KernelChoice#TILE_HEIGHTS} from the register count. */
    static final int MR = KernelChoice.CHOSEN.mr();
    /** Columns of a tile: two vectors. */
    static final int NR = 2 * V;

    static {
        if (NR != KernelChoice.CHOSEN.nr() || (MR != 12 && MR != 8 && MR != 6 && MR != 4)) {
            throw new IllegalStateException("no micro-kernel for " + KernelChoice.CHOSEN.describe());
        }
    }

    private VectorGemmKernel() {}

    /**
     * {@code C[r, j] (+)= sum_p Ap[p*MR + r] Bp[p*NR + j]} for the {@code MR x NR} tile at
     * {@code c[co + r*ldc + j]}: with {@code add} the accumulators start from C instead of zero, so an
     * accumulating product (every depth slice after the first) costs no extra pass over the tile.
     */
    static void tile(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        tileOf(MR, kc, ap, ao, bp, bo, c, co, ldc, add);
    }

    /**
     * {@link #tile} by the tile of {@code height} rows (12, 8, 6 or 4, at most {@code MR}) over the first rows of A's strips
     * of {@code MR}: with {@link #height}, a last strip of A with fewer rows than {@code MR} (64 output channels are five
     * tiles of 12 and one of 4) multiplies only what it holds instead of a whole tile of zero rows. Every height sums each
     * element in the same order, so the bits are {@link #tile}'s. It writes (and with {@code add} reads) {@code height}
     * whole rows: the destination needs room for them.
     */
    static void tileOf(int height, int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        switch (height) {
            case 12 -> tile12(kc, ap, ao, bp, bo, c, co, ldc, add);
            case 8 -> tile8(kc, ap, ao, MR, bp, bo, c, co, ldc, add);
            case 6 -> tile6(kc, ap, ao, MR, bp, bo, c, co, ldc, add);
            case 4 -> tile4(kc, ap, ao, MR, bp, bo, c, co, ldc, add);
            default -> throw new IllegalArgumentException("no tile of " + height + " rows");
        }
    }

    /** The tile heights there are, lowest first. */
    private static final int[] HEIGHTS = {4, 6, 8, 12};

    /** The lowest tile height (4, 6, 8 or 12, at most {@code MR}) that covers {@code rows} ({@code 0 < rows <= MR}) rows. */
    static int height(int rows) {
        for (int h : HEIGHTS) {
            if (h >= rows && h <= MR) return h;
        }
        throw new IllegalArgumentException("no tile of at most " + MR + " rows covers " + rows);
    }

    /** {@code bp[bo + p*NR + j] = b[off + p*rs + j]} for {@code p < kc, j < NR}: a full strip of B packed, two vectors a row. */
    static void copyRows(int kc, float[] b, int off, int rs, float[] bp, int bo) {
        for (int p = 0; p < kc; p++) {
            int src = off + p * rs, dst = bo + p * NR;
            FloatVector.fromArray(S, b, src).intoArray(bp, dst);
            FloatVector.fromArray(S, b, src + V).intoArray(bp, dst + V);
        }
    }

    /**
     * {@code bp[at + p*NR + j] = b[off + j*cs + p]} for {@code p < kc, j < NR}: a full strip of a transposed B
     * packed, each row of the strip gathered from the {@code NR} stored rows, a vector at a time.
     * {@code rows[j] = j*cs} for {@code j < V} (the caller's, so nothing is allocated here).
     */
    static void gatherSteps(int kc, float[] b, int off, int cs, int[] rows, float[] bp, int at) {
        int second = off + V * cs;
        for (int p = 0; p < kc; p++) {
            int dst = at + p * NR;
            FloatVector.fromArray(S, b, off + p, rows, 0).intoArray(bp, dst);
            FloatVector.fromArray(S, b, second + p, rows, 0).intoArray(bp, dst + V);
        }
    }

    /** Whether {@link #transposeSteps} runs on this species: 16 lanes (AVX-512), a strip being two 16 x 16 blocks a step of 16. */
    static final boolean TRANSPOSE = V == 16;
    /**
     * The two-vector shuffles of the four stages of a 16 x 16 transpose ({@link #transpose16}); null unless {@link #TRANSPOSE}.
     * Stage {@code s} pairs rows {@code i} and {@code i + g} ({@code g = 2^s}) and, in every group of {@code 2g} lanes, takes
     * {@code g} lanes of each: the low halves of the groups ({@code LO}) or the high ones ({@code HI}).
     */
    private static final VectorShuffle<Float> LO0 = stage(0, false), HI0 = stage(0, true), LO1 = stage(1, false), HI1 = stage(1, true),
            LO2 = stage(2, false), HI2 = stage(2, true), LO3 = stage(3, false), HI3 = stage(3, true);

    private static VectorShuffle<Float> stage(int s, boolean high) {
        if (!TRANSPOSE) return null;
        int g = 1 << s;
        int[] lanes = new int[16];
        for (int j = 0; j < 16; j++) {
            int w = j % (2 * g), src = j / (2 * g) * 2 * g + w % g + (high ? g : 0);
            // lanes of the second vector are numbered from 16 (an exceptional index selects from it)
            lanes[j] = w < g ? src : src + 16;
        }
        return VectorShuffle.fromArray(S, lanes, 0);
    }

    /**
     * {@code bp[at + p*NR + j] = b[off + j*cs + p]} for {@code p < kc, j < NR}: a full strip of a transposed B packed
     * like {@link #gatherSteps}, by two 16 x 16 register transposes a step of 16 (four stages of two-vector shuffles, no
     * gathers), the last {@code kc % 16} steps by a scalar loop. Only where {@link #TRANSPOSE}. On Zen 5 2.4 times as fast
     * as the gathers (5.9 against 2.4 Gfloats/s), and it needs no gathers where a microcode mitigation slows them.
     */
    static void transposeSteps(int kc, float[] b, int off, int cs, float[] bp, int at) {
        int p = 0;
        for (; p + 16 <= kc; p += 16) {
            transpose16(b, off + p, cs, bp, at + p * NR);
            transpose16(b, off + 16 * cs + p, cs, bp, at + p * NR + 16);
        }
        for (; p < kc; p++) {
            for (int j = 0; j < NR; j++) bp[at + p * NR + j] = b[off + j * cs + p];
        }
    }

    /**
     * {@code ap[at + p*MR + r] = a[off + r*lda + p]} for {@code p < kc, r < MR}: a full strip of a row-major A packed for
     * {@link #tile} by one 16 x 16 register transpose a step of 16 (rows {@code MR} to 15 zero, their lanes never left in
     * the strip), the last {@code kc % 16} steps by a scalar loop. Only where {@link #TRANSPOSE} and {@code MR <= 16}. Its
     * twin, {@code Gemm.packRowsA}, writes with a stride of {@code MR} floats a load and ran at 0.3 of this one's rate (4.8
     * against 16.2 in {@code GemmProbe}'s units on Zen 5); this one reads a cache line a row and writes whole vectors.
     */
    static void transposeRows(int kc, float[] a, int off, int lda, float[] ap, int at) {
        int p = 0;
        for (; p + 16 <= kc; p += 16) transposeBlock(a, off + p, lda, ap, at + p * MR);
        for (; p < kc; p++) {
            for (int r = 0; r < MR; r++) ap[at + p * MR + r] = a[off + r * lda + p];
        }
    }

    /**
     * {@code ap[at + p*MR + r] = a[off + p*cs + r]} for {@code p < kc, r < MR}: a full strip of a transposed A (a step's
     * {@code MR} floats contiguous) packed a vector a step, read under {@link #STRIP_ROWS} and stored whole (its lanes past
     * {@code MR} land where the next step's store then writes) except the last step's. Only where {@link #TRANSPOSE} and
     * {@code MR <= 16}. Its twin, {@code Gemm.copyStepsA}, copies {@code MR} floats a step with {@code System.arraycopy}, a
     * stub call each.
     */
    static void copySteps(int kc, float[] a, int off, int cs, float[] ap, int at) {
        final VectorSpecies<Float> s = S;
        int p = 0;
        for (; p + 1 < kc; p++) FloatVector.fromArray(s, a, off + p * cs, STRIP_ROWS).intoArray(ap, at + p * MR);
        if (p < kc) FloatVector.fromArray(s, a, off + p * cs, STRIP_ROWS).intoArray(ap, at + p * MR, STRIP_ROWS);
    }

    /** The lanes of a step of an A strip that {@link #transposeBlock} and {@link #copySteps} keep: the strip's {@code MR} rows. */
    private static final VectorMask<Float> STRIP_ROWS = TRANSPOSE ? VectorMask.fromLong(S, (1L << Math.min(MR, 16)) - 1) : null;

    /**
     * {@code dst[doff + q*MR + i] = src[off + i*ld + q]} for {@code i < MR, q < 16}: {@link #transpose16} over the strip's
     * {@code MR} rows and zero rows under them; a step's vector is stored whole (its lanes past {@code MR} land where the
     * next step's store then writes) except the last, stored under {@link #STRIP_ROWS} so nothing past the block is touched.
     * A copy of {@link #transpose16}'s shuffles, not a call with the row count and stride as arguments: compiled on its own,
     * such a method merges a loaded row and the zero vector in a phi for every row, which C2 does not unbox (a generalised
     * transpose made the cnn workload allocate 2-6 MB a step in 9 of 15 fresh JVMs, ROADMAP item 6); here {@code MR} is a
     * constant and every choice folds.
     */
    private static void transposeBlock(float[] src, int off, int ld, float[] dst, int doff) {
        final VectorSpecies<Float> s = S;
        final FloatVector z = FloatVector.zero(s);
        FloatVector r0 = FloatVector.fromArray(s, src, off);
        FloatVector r1 = MR > 1 ? FloatVector.fromArray(s, src, off + ld) : z;
        FloatVector r2 = MR > 2 ? FloatVector.fromArray(s, src, off + 2 * ld) : z;
        FloatVector r3 = MR > 3 ? FloatVector.fromArray(s, src, off + 3 * ld) : z;
        FloatVector r4 = MR > 4 ? FloatVector.fromArray(s, src, off + 4 * ld) : z;
        FloatVector r5 = MR > 5 ? FloatVector.fromArray(s, src, off + 5 * ld) : z;
        FloatVector r6 = MR > 6 ? FloatVector.fromArray(s, src, off + 6 * ld) : z;
        FloatVector r7 = MR > 7 ? FloatVector.fromArray(s, src, off + 7 * ld) : z;
        FloatVector r8 = MR > 8 ? FloatVector.fromArray(s, src, off + 8 * ld) : z;
        FloatVector r9 = MR > 9 ? FloatVector.fromArray(s, src, off + 9 * ld) : z;
        FloatVector r10 = MR > 10 ? FloatVector.fromArray(s, src, off + 10 * ld) : z;
        FloatVector r11 = MR > 11 ? FloatVector.fromArray(s, src, off + 11 * ld) : z;
        FloatVector r12 = MR > 12 ? FloatVector.fromArray(s, src, off + 12 * ld) : z;
        FloatVector r13 = MR > 13 ? FloatVector.fromArray(s, src, off + 13 * ld) : z;
        FloatVector r14 = MR > 14 ? FloatVector.fromArray(s, src, off + 14 * ld) : z;
        FloatVector r15 = MR > 15 ? FloatVector.fromArray(s, src, off + 15 * ld) : z;
        FloatVector a0 = r0.rearrange(LO0, r1), a1 = r0.rearrange(HI0, r1);
        FloatVector a2 = r2.rearrange(LO0, r3), a3 = r2.rearrange(HI0, r3);
        FloatVector a4 = r4.rearrange(LO0, r5), a5 = r4.rearrange(HI0, r5);
        FloatVector a6 = r6.rearrange(LO0, r7), a7 = r6.rearrange(HI0, r7);
        FloatVector a8 = r8.rearrange(LO0, r9), a9 = r8.rearrange(HI0, r9);
        FloatVector a10 = r10.rearrange(LO0, r11), a11 = r10.rearrange(HI0, r11);
        FloatVector a12 = r12.rearrange(LO0, r13), a13 = r12.rearrange(HI0, r13);
        FloatVector a14 = r14.rearrange(LO0, r15), a15 = r14.rearrange(HI0, r15);
        FloatVector c0 = a0.rearrange(LO1, a2), c2 = a0.rearrange(HI1, a2);
        FloatVector c1 = a1.rearrange(LO1, a3), c3 = a1.rearrange(HI1, a3);
        FloatVector c4 = a4.rearrange(LO1, a6), c6 = a4.rearrange(HI1, a6);
        FloatVector c5 = a5.rearrange(LO1, a7), c7 = a5.rearrange(HI1, a7);
        FloatVector c8 = a8.rearrange(LO1, a10), c10 = a8.rearrange(HI1, a10);
        FloatVector c9 = a9.rearrange(LO1, a11), c11 = a9.rearrange(HI1, a11);
        FloatVector c12 = a12.rearrange(LO1, a14), c14 = a12.rearrange(HI1, a14);
        FloatVector c13 = a13.rearrange(LO1, a15), c15 = a13.rearrange(HI1, a15);
        FloatVector d0 = c0.rearrange(LO2, c4), d4 = c0.rearrange(HI2, c4);
        FloatVector d1 = c1.rearrange(LO2, c5), d5 = c1.rearrange(HI2, c5);
        FloatVector d2 = c2.rearrange(LO2, c6), d6 = c2.rearrange(HI2, c6);
        FloatVector d3 = c3.rearrange(LO2, c7), d7 = c3.rearrange(HI2, c7);
        FloatVector d8 = c8.rearrange(LO2, c12), d12 = c8.rearrange(HI2, c12);
        FloatVector d9 = c9.rearrange(LO2, c13), d13 = c9.rearrange(HI2, c13);
        FloatVector d10 = c10.rearrange(LO2, c14), d14 = c10.rearrange(HI2, c14);
        FloatVector d11 = c11.rearrange(LO2, c15), d15 = c11.rearrange(HI2, c15);
        d0.rearrange(LO3, d8).intoArray(dst, doff);
        d1.rearrange(LO3, d9).intoArray(dst, doff + MR);
        d2.rearrange(LO3, d10).intoArray(dst, doff + 2 * MR);
        d3.rearrange(LO3, d11).intoArray(dst, doff + 3 * MR);
        d4.rearrange(LO3, d12).intoArray(dst, doff + 4 * MR);
        d5.rearrange(LO3, d13).intoArray(dst, doff + 5 * MR);
        d6.rearrange(LO3, d14).intoArray(dst, doff + 6 * MR);
        d7.rearrange(LO3, d15).intoArray(dst, doff + 7 * MR);
        d0.rearrange(HI3, d8).intoArray(dst, doff + 8 * MR);
        d1.rearrange(HI3, d9).intoArray(dst, doff + 9 * MR);
        d2.rearrange(HI3, d10).intoArray(dst, doff + 10 * MR);
        d3.rearrange(HI3, d11).intoArray(dst, doff + 11 * MR);
        d4.rearrange(HI3, d12).intoArray(dst, doff + 12 * MR);
        d5.rearrange(HI3, d13).intoArray(dst, doff + 13 * MR);
        d6.rearrange(HI3, d14).intoArray(dst, doff + 14 * MR);
        d7.rearrange(HI3, d15).intoArray(dst, doff + 15 * MR, STRIP_ROWS);
    }

    /** {@code dst[doff + q*NR + i] = src[off + i*ld + q]} for {@code i, q < 16}: one 16 x 16 block, unrolled so every vector stays in a register. */
    private static void transpose16(float[] src, int off, int ld, float[] dst, int doff) {
        final VectorSpecies<Float> s = S;
        FloatVector r0 = FloatVector.fromArray(s, src, off + 0 * ld);
        FloatVector r1 = FloatVector.fromArray(s, src, off + 1 * ld);
        FloatVector r2 = FloatVector.fromArray(s, src, off + 2 * ld);
        FloatVector r3 = FloatVector.fromArray(s, src, off + 3 * ld);
        FloatVector r4 = FloatVector.fromArray(s, src, off + 4 * ld);
        FloatVector r5 = FloatVector.fromArray(s, src, off + 5 * ld);
        FloatVector r6 = FloatVector.fromArray(s, src, off + 6 * ld);
        FloatVector r7 = FloatVector.fromArray(s, src, off + 7 * ld);
        FloatVector r8 = FloatVector.fromArray(s, src, off + 8 * ld);
        FloatVector r9 = FloatVector.fromArray(s, src, off + 9 * ld);
        FloatVector r10 = FloatVector.fromArray(s, src, off + 10 * ld);
        FloatVector r11 = FloatVector.fromArray(s, src, off + 11 * ld);
        FloatVector r12 = FloatVector.fromArray(s, src, off + 12 * ld);
        FloatVector r13 = FloatVector.fromArray(s, src, off + 13 * ld);
        FloatVector r14 = FloatVector.fromArray(s, src, off + 14 * ld);
        FloatVector r15 = FloatVector.fromArray(s, src, off + 15 * ld);
        FloatVector a0 = r0.rearrange(LO0, r1), a1 = r0.rearrange(HI0, r1);
        FloatVector a2 = r2.rearrange(LO0, r3), a3 = r2.rearrange(HI0, r3);
        FloatVector a4 = r4.rearrange(LO0, r5), a5 = r4.rearrange(HI0, r5);
        FloatVector a6 = r6.rearrange(LO0, r7), a7 = r6.rearrange(HI0, r7);
        FloatVector a8 = r8.rearrange(LO0, r9), a9 = r8.rearrange(HI0, r9);
        FloatVector a10 = r10.rearrange(LO0, r11), a11 = r10.rearrange(HI0, r11);
        FloatVector a12 = r12.rearrange(LO0, r13), a13 = r12.rearrange(HI0, r13);
        FloatVector a14 = r14.rearrange(LO0, r15), a15 = r14.rearrange(HI0, r15);
        FloatVector c0 = a0.rearrange(LO1, a2), c2 = a0.rearrange(HI1, a2);
        FloatVector c1 = a1.rearrange(LO1, a3), c3 = a1.rearrange(HI1, a3);
        FloatVector c4 = a4.rearrange(LO1, a6), c6 = a4.rearrange(HI1, a6);
        FloatVector c5 = a5.rearrange(LO1, a7), c7 = a5.rearrange(HI1, a7);
        FloatVector c8 = a8.rearrange(LO1, a10), c10 = a8.rearrange(HI1, a10);
        FloatVector c9 = a9.rearrange(LO1, a11), c11 = a9.rearrange(HI1, a11);
        FloatVector c12 = a12.rearrange(LO1, a14), c14 = a12.rearrange(HI1, a14);
        FloatVector c13 = a13.rearrange(LO1, a15), c15 = a13.rearrange(HI1, a15);
        FloatVector d0 = c0.rearrange(LO2, c4), d4 = c0.rearrange(HI2, c4);
        FloatVector d1 = c1.rearrange(LO2, c5), d5 = c1.rearrange(HI2, c5);
        FloatVector d2 = c2.rearrange(LO2, c6), d6 = c2.rearrange(HI2, c6);
        FloatVector d3 = c3.rearrange(LO2, c7), d7 = c3.rearrange(HI2, c7);
        FloatVector d8 = c8.rearrange(LO2, c12), d12 = c8.rearrange(HI2, c12);
        FloatVector d9 = c9.rearrange(LO2, c13), d13 = c9.rearrange(HI2, c13);
        FloatVector d10 = c10.rearrange(LO2, c14), d14 = c10.rearrange(HI2, c14);
        FloatVector d11 = c11.rearrange(LO2, c15), d15 = c11.rearrange(HI2, c15);
        FloatVector e0 = d0.rearrange(LO3, d8), e8 = d0.rearrange(HI3, d8);
        FloatVector e1 = d1.rearrange(LO3, d9), e9 = d1.rearrange(HI3, d9);
        FloatVector e2 = d2.rearrange(LO3, d10), e10 = d2.rearrange(HI3, d10);
        FloatVector e3 = d3.rearrange(LO3, d11), e11 = d3.rearrange(HI3, d11);
        FloatVector e4 = d4.rearrange(LO3, d12), e12 = d4.rearrange(HI3, d12);
        FloatVector e5 = d5.rearrange(LO3, d13), e13 = d5.rearrange(HI3, d13);
        FloatVector e6 = d6.rearrange(LO3, d14), e14 = d6.rearrange(HI3, d14);
        FloatVector e7 = d7.rearrange(LO3, d15), e15 = d7.rearrange(HI3, d15);
        e0.intoArray(dst, doff + 0 * NR);
        e1.intoArray(dst, doff + 1 * NR);
        e2.intoArray(dst, doff + 2 * NR);
        e3.intoArray(dst, doff + 3 * NR);
        e4.intoArray(dst, doff + 4 * NR);
        e5.intoArray(dst, doff + 5 * NR);
        e6.intoArray(dst, doff + 6 * NR);
        e7.intoArray(dst, doff + 7 * NR);
        e8.intoArray(dst, doff + 8 * NR);
        e9.intoArray(dst, doff + 9 * NR);
        e10.intoArray(dst, doff + 10 * NR);
        e11.intoArray(dst, doff + 11 * NR);
        e12.intoArray(dst, doff + 12 * NR);
        e13.intoArray(dst, doff + 13 * NR);
        e14.intoArray(dst, doff + 14 * NR);
        e15.intoArray(dst, doff + 15 * NR);
    }

    /**
     * {@link #tile} with A not packed but read where it lies, row-major with leading dimension {@code lda}:
     * {@code A[r, p] = a[ao + r*lda + p]}. The micro-kernel broadcasts A one element at a time anyway, so
     * {@code MR} row streams serve it as well as a packed strip, and packing row-major A (a strided
     * scatter) is skipped.
     */
    static void tileRows(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        tileRowsOf(MR, kc, a, ao, lda, bp, bo, c, co, ldc, add);
    }

    /** {@link #tileRows} by the tile of {@code height} rows (12, 8, 6 or 4), whatever {@link #MR} is. */
    static void tileRowsOf(int height, int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        switch (height) {
            case 12 -> tile12Rows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
            case 8 -> tile8Rows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
            case 6 -> tile6Rows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
            case 4 -> tile4Rows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
            default -> throw new IllegalArgumentException("no tile of " + height + " rows");
        }
    }

    /** 12 x 2V tile: 24 accumulators, 2 B vectors and one broadcast live in registers. */
    static void tile12(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final VectorSpecies<Float> s = S;
        final int v = V;
        FloatVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b, c4a, c4b, c5a, c5b, c6a, c6b, c7a, c7b, c8a, c8b, c9a, c9b, c10a, c10b, c11a, c11b;
        if (add) {
            c0a = FloatVector.fromArray(s, c, co + 0 * ldc);
            c0b = FloatVector.fromArray(s, c, co + 0 * ldc + v);
            c1a = FloatVector.fromArray(s, c, co + 1 * ldc);
            c1b = FloatVector.fromArray(s, c, co + 1 * ldc + v);
            c2a = FloatVector.fromArray(s, c, co + 2 * ldc);
            c2b = FloatVector.fromArray(s, c, co + 2 * ldc + v);
            c3a = FloatVector.fromArray(s, c, co + 3 * ldc);
            c3b = FloatVector.fromArray(s, c, co + 3 * ldc + v);
            c4a = FloatVector.fromArray(s, c, co + 4 * ldc);
            c4b = FloatVector.fromArray(s, c, co + 4 * ldc + v);
            c5a = FloatVector.fromArray(s, c, co + 5 * ldc);
            c5b = FloatVector.fromArray(s, c, co + 5 * ldc + v);
            c6a = FloatVector.fromArray(s, c, co + 6 * ldc);
            c6b = FloatVector.fromArray(s, c, co + 6 * ldc + v);
            c7a = FloatVector.fromArray(s, c, co + 7 * ldc);
            c7b = FloatVector.fromArray(s, c, co + 7 * ldc + v);
            c8a = FloatVector.fromArray(s, c, co + 8 * ldc);
            c8b = FloatVector.fromArray(s, c, co + 8 * ldc + v);
            c9a = FloatVector.fromArray(s, c, co + 9 * ldc);
            c9b = FloatVector.fromArray(s, c, co + 9 * ldc + v);
            c10a = FloatVector.fromArray(s, c, co + 10 * ldc);
            c10b = FloatVector.fromArray(s, c, co + 10 * ldc + v);
            c11a = FloatVector.fromArray(s, c, co + 11 * ldc);
            c11b = FloatVector.fromArray(s, c, co + 11 * ldc + v);
        } else {
            c0a = FloatVector.zero(s);
            c0b = c0a;
            c1a = FloatVector.zero(s);
            c1b = c1a;
            c2a = FloatVector.zero(s);
            c2b = c2a;
            c3a = FloatVector.zero(s);
            c3b = c3a;
            c4a = FloatVector.zero(s);
            c4b = c4a;
            c5a = FloatVector.zero(s);
            c5b = c5a;
            c6a = FloatVector.zero(s);
            c6b = c6a;
            c7a = FloatVector.zero(s);
            c7b = c7a;
            c8a = FloatVector.zero(s);
            c8b = c8a;
            c9a = FloatVector.zero(s);
            c9b = c9a;
            c10a = FloatVector.zero(s);
            c10b = c10a;
            c11a = FloatVector.zero(s);
            c11b = c11a;
        }
        for (int p = 0; p < kc; p++) {
            int a = ao + p * 12, b = bo + p * 2 * v;
            FloatVector b0 = FloatVector.fromArray(s, bp, b), b1 = FloatVector.fromArray(s, bp, b + v);
            FloatVector a0 = FloatVector.broadcast(s, ap[a + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(s, ap[a + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(s, ap[a + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(s, ap[a + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(s, ap[a + 4]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(s, ap[a + 5]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(s, ap[a + 6]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(s, ap[a + 7]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            FloatVector a8 = FloatVector.broadcast(s, ap[a + 8]);
            c8a = a8.fma(b0, c8a);
            c8b = a8.fma(b1, c8b);
            FloatVector a9 = FloatVector.broadcast(s, ap[a + 9]);
            c9a = a9.fma(b0, c9a);
            c9b = a9.fma(b1, c9b);
            FloatVector a10 = FloatVector.broadcast(s, ap[a + 10]);
            c10a = a10.fma(b0, c10a);
            c10b = a10.fma(b1, c10b);
            FloatVector a11 = FloatVector.broadcast(s, ap[a + 11]);
            c11a = a11.fma(b0, c11a);
            c11b = a11.fma(b1, c11b);
        }
        c0a.intoArray(c, co + 0 * ldc);
        c0b.intoArray(c, co + 0 * ldc + v);
        c1a.intoArray(c, co + 1 * ldc);
        c1b.intoArray(c, co + 1 * ldc + v);
        c2a.intoArray(c, co + 2 * ldc);
        c2b.intoArray(c, co + 2 * ldc + v);
        c3a.intoArray(c, co + 3 * ldc);
        c3b.intoArray(c, co + 3 * ldc + v);
        c4a.intoArray(c, co + 4 * ldc);
        c4b.intoArray(c, co + 4 * ldc + v);
        c5a.intoArray(c, co + 5 * ldc);
        c5b.intoArray(c, co + 5 * ldc + v);
        c6a.intoArray(c, co + 6 * ldc);
        c6b.intoArray(c, co + 6 * ldc + v);
        c7a.intoArray(c, co + 7 * ldc);
        c7b.intoArray(c, co + 7 * ldc + v);
        c8a.intoArray(c, co + 8 * ldc);
        c8b.intoArray(c, co + 8 * ldc + v);
        c9a.intoArray(c, co + 9 * ldc);
        c9b.intoArray(c, co + 9 * ldc + v);
        c10a.intoArray(c, co + 10 * ldc);
        c10b.intoArray(c, co + 10 * ldc + v);
        c11a.intoArray(c, co + 11 * ldc);
        c11b.intoArray(c, co + 11 * ldc + v);
    }

    /**
     * A tile of {@code height} (13 or 14) rows over two strips of packed A: its first 12 rows those of {@link #tile12} from
     * the strip at {@code ao}, the rest the first rows of the next strip, at {@code ao2} ({@code MR} floats a step in each).
     * A product whose last strip has 1 or 2 rows (resnet18's 7 x 7 planes at batch 1: 49 rows) then runs no lower tile for
     * them, which cost as much a step as 4 of the 12 rows (a 13-row tile: 26 accumulators, 2 B vectors and one broadcast
     * in registers; {@code TallTileProbe}). The extra rows sum from zero and, with {@code add}, add C's old value at the
     * end: the bits of the lower tile computed apart and merged ({@code Gemm}'s scratch path), so the tile taken does not
     * change a result.
     */
    static void tileTall(int height, int kc, float[] ap, int ao, int ao2, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        if (height == 13) tile13(kc, ap, ao, ao2, bp, bo, c, co, ldc, add);
        else if (height == 14) tile14(kc, ap, ao, ao2, bp, bo, c, co, ldc, add);
        else throw new IllegalArgumentException("no tall tile of " + height + " rows");
    }

    /** {@link #tileTall} of 13 rows. */
    static void tile13(int kc, float[] ap, int ao, int ao2, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final VectorSpecies<Float> s = S;
        final int v = V;
        FloatVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b, c4a, c4b, c5a, c5b, c6a, c6b, c7a, c7b, c8a, c8b, c9a, c9b, c10a, c10b, c11a, c11b, c12a, c12b;
        if (add) {
            c0a = FloatVector.fromArray(s, c, co + 0 * ldc);
            c0b = FloatVector.fromArray(s, c, co + 0 * ldc + v);
            c1a = FloatVector.fromArray(s, c, co + 1 * ldc);
            c1b = FloatVector.fromArray(s, c, co + 1 * ldc + v);
            c2a = FloatVector.fromArray(s, c, co + 2 * ldc);
            c2b = FloatVector.fromArray(s, c, co + 2 * ldc + v);
            c3a = FloatVector.fromArray(s, c, co + 3 * ldc);
            c3b = FloatVector.fromArray(s, c, co + 3 * ldc + v);
            c4a = FloatVector.fromArray(s, c, co + 4 * ldc);
            c4b = FloatVector.fromArray(s, c, co + 4 * ldc + v);
            c5a = FloatVector.fromArray(s, c, co + 5 * ldc);
            c5b = FloatVector.fromArray(s, c, co + 5 * ldc + v);
            c6a = FloatVector.fromArray(s, c, co + 6 * ldc);
            c6b = FloatVector.fromArray(s, c, co + 6 * ldc + v);
            c7a = FloatVector.fromArray(s, c, co + 7 * ldc);
            c7b = FloatVector.fromArray(s, c, co + 7 * ldc + v);
            c8a = FloatVector.fromArray(s, c, co + 8 * ldc);
            c8b = FloatVector.fromArray(s, c, co + 8 * ldc + v);
            c9a = FloatVector.fromArray(s, c, co + 9 * ldc);
            c9b = FloatVector.fromArray(s, c, co + 9 * ldc + v);
            c10a = FloatVector.fromArray(s, c, co + 10 * ldc);
            c10b = FloatVector.fromArray(s, c, co + 10 * ldc + v);
            c11a = FloatVector.fromArray(s, c, co + 11 * ldc);
            c11b = FloatVector.fromArray(s, c, co + 11 * ldc + v);
        } else {
            c0a = FloatVector.zero(s);
            c0b = c0a;
            c1a = FloatVector.zero(s);
            c1b = c1a;
            c2a = FloatVector.zero(s);
            c2b = c2a;
            c3a = FloatVector.zero(s);
            c3b = c3a;
            c4a = FloatVector.zero(s);
            c4b = c4a;
            c5a = FloatVector.zero(s);
            c5b = c5a;
            c6a = FloatVector.zero(s);
            c6b = c6a;
            c7a = FloatVector.zero(s);
            c7b = c7a;
            c8a = FloatVector.zero(s);
            c8b = c8a;
            c9a = FloatVector.zero(s);
            c9b = c9a;
            c10a = FloatVector.zero(s);
            c10b = c10a;
            c11a = FloatVector.zero(s);
            c11b = c11a;
        }
        c12a = FloatVector.zero(s);
        c12b = c12a;
        for (int p = 0; p < kc; p++) {
            int a = ao + p * 12, q = ao2 + p * 12, b = bo + p * 2 * v;
            FloatVector b0 = FloatVector.fromArray(s, bp, b), b1 = FloatVector.fromArray(s, bp, b + v);
            FloatVector a0 = FloatVector.broadcast(s, ap[a + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(s, ap[a + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(s, ap[a + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(s, ap[a + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(s, ap[a + 4]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(s, ap[a + 5]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(s, ap[a + 6]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(s, ap[a + 7]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            FloatVector a8 = FloatVector.broadcast(s, ap[a + 8]);
            c8a = a8.fma(b0, c8a);
            c8b = a8.fma(b1, c8b);
            FloatVector a9 = FloatVector.broadcast(s, ap[a + 9]);
            c9a = a9.fma(b0, c9a);
            c9b = a9.fma(b1, c9b);
            FloatVector a10 = FloatVector.broadcast(s, ap[a + 10]);
            c10a = a10.fma(b0, c10a);
            c10b = a10.fma(b1, c10b);
            FloatVector a11 = FloatVector.broadcast(s, ap[a + 11]);
            c11a = a11.fma(b0, c11a);
            c11b = a11.fma(b1, c11b);
            FloatVector a12 = FloatVector.broadcast(s, ap[q + 0]);
            c12a = a12.fma(b0, c12a);
            c12b = a12.fma(b1, c12b);
        }
        c0a.intoArray(c, co + 0 * ldc);
        c0b.intoArray(c, co + 0 * ldc + v);
        c1a.intoArray(c, co + 1 * ldc);
        c1b.intoArray(c, co + 1 * ldc + v);
        c2a.intoArray(c, co + 2 * ldc);
        c2b.intoArray(c, co + 2 * ldc + v);
        c3a.intoArray(c, co + 3 * ldc);
        c3b.intoArray(c, co + 3 * ldc + v);
        c4a.intoArray(c, co + 4 * ldc);
        c4b.intoArray(c, co + 4 * ldc + v);
        c5a.intoArray(c, co + 5 * ldc);
        c5b.intoArray(c, co + 5 * ldc + v);
        c6a.intoArray(c, co + 6 * ldc);
        c6b.intoArray(c, co + 6 * ldc + v);
        c7a.intoArray(c, co + 7 * ldc);
        c7b.intoArray(c, co + 7 * ldc + v);
        c8a.intoArray(c, co + 8 * ldc);
        c8b.intoArray(c, co + 8 * ldc + v);
        c9a.intoArray(c, co + 9 * ldc);
        c9b.intoArray(c, co + 9 * ldc + v);
        c10a.intoArray(c, co + 10 * ldc);
        c10b.intoArray(c, co + 10 * ldc + v);
        c11a.intoArray(c, co + 11 * ldc);
        c11b.intoArray(c, co + 11 * ldc + v);
        // the extra rows: C's old value added once, in each branch (no phi of vectors for C2 to box)
        if (add) {
            c12a.add(FloatVector.fromArray(s, c, co + 12 * ldc)).intoArray(c, co + 12 * ldc);
            c12b.add(FloatVector.fromArray(s, c, co + 12 * ldc + v)).intoArray(c, co + 12 * ldc + v);
        } else {
            c12a.intoArray(c, co + 12 * ldc);
            c12b.intoArray(c, co + 12 * ldc + v);
        }
    }

    /** {@link #tileTall} of 14 rows: 28 accumulators, 2 B vectors and one broadcast. */
    static void tile14(int kc, float[] ap, int ao, int ao2, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final VectorSpecies<Float> s = S;
        final int v = V;
        FloatVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b, c4a, c4b, c5a, c5b, c6a, c6b, c7a, c7b, c8a, c8b, c9a, c9b, c10a, c10b, c11a, c11b, c12a, c12b, c13a, c13b;
        if (add) {
            c0a = FloatVector.fromArray(s, c, co + 0 * ldc);
            c0b = FloatVector.fromArray(s, c, co + 0 * ldc + v);
            c1a = FloatVector.fromArray(s, c, co + 1 * ldc);
            c1b = FloatVector.fromArray(s, c, co + 1 * ldc + v);
            c2a = FloatVector.fromArray(s, c, co + 2 * ldc);
            c2b = FloatVector.fromArray(s, c, co + 2 * ldc + v);
            c3a = FloatVector.fromArray(s, c, co + 3 * ldc);
            c3b = FloatVector.fromArray(s, c, co + 3 * ldc + v);
            c4a = FloatVector.fromArray(s, c, co + 4 * ldc);
            c4b = FloatVector.fromArray(s, c, co + 4 * ldc + v);
            c5a = FloatVector.fromArray(s, c, co + 5 * ldc);
            c5b = FloatVector.fromArray(s, c, co + 5 * ldc + v);
            c6a = FloatVector.fromArray(s, c, co + 6 * ldc);
            c6b = FloatVector.fromArray(s, c, co + 6 * ldc + v);
            c7a = FloatVector.fromArray(s, c, co + 7 * ldc);
            c7b = FloatVector.fromArray(s, c, co + 7 * ldc + v);
            c8a = FloatVector.fromArray(s, c, co + 8 * ldc);
            c8b = FloatVector.fromArray(s, c, co + 8 * ldc + v);
            c9a = FloatVector.fromArray(s, c, co + 9 * ldc);
            c9b = FloatVector.fromArray(s, c, co + 9 * ldc + v);
            c10a = FloatVector.fromArray(s, c, co + 10 * ldc);
            c10b = FloatVector.fromArray(s, c, co + 10 * ldc + v);
            c11a = FloatVector.fromArray(s, c, co + 11 * ldc);
            c11b = FloatVector.fromArray(s, c, co + 11 * ldc + v);
        } else {
            c0a = FloatVector.zero(s);
            c0b = c0a;
            c1a = FloatVector.zero(s);
            c1b = c1a;
            c2a = FloatVector.zero(s);
            c2b = c2a;
            c3a = FloatVector.zero(s);
            c3b = c3a;
            c4a = FloatVector.zero(s);
            c4b = c4a;
            c5a = FloatVector.zero(s);
            c5b = c5a;
            c6a = FloatVector.zero(s);
            c6b = c6a;
            c7a = FloatVector.zero(s);
            c7b = c7a;
            c8a = FloatVector.zero(s);
            c8b = c8a;
            c9a = FloatVector.zero(s);
            c9b = c9a;
            c10a = FloatVector.zero(s);
            c10b = c10a;
            c11a = FloatVector.zero(s);
            c11b = c11a;
        }
        c12a = FloatVector.zero(s);
        c12b = c12a;
        c13a = FloatVector.zero(s);
        c13b = c13a;
        for (int p = 0; p < kc; p++) {
            int a = ao + p * 12, q = ao2 + p * 12, b = bo + p * 2 * v;
            FloatVector b0 = FloatVector.fromArray(s, bp, b), b1 = FloatVector.fromArray(s, bp, b + v);
            FloatVector a0 = FloatVector.broadcast(s, ap[a + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(s, ap[a + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(s, ap[a + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(s, ap[a + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(s, ap[a + 4]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(s, ap[a + 5]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(s, ap[a + 6]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(s, ap[a + 7]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            FloatVector a8 = FloatVector.broadcast(s, ap[a + 8]);
            c8a = a8.fma(b0, c8a);
            c8b = a8.fma(b1, c8b);
            FloatVector a9 = FloatVector.broadcast(s, ap[a + 9]);
            c9a = a9.fma(b0, c9a);
            c9b = a9.fma(b1, c9b);
            FloatVector a10 = FloatVector.broadcast(s, ap[a + 10]);
            c10a = a10.fma(b0, c10a);
            c10b = a10.fma(b1, c10b);
            FloatVector a11 = FloatVector.broadcast(s, ap[a + 11]);
            c11a = a11.fma(b0, c11a);
            c11b = a11.fma(b1, c11b);
            FloatVector a12 = FloatVector.broadcast(s, ap[q + 0]);
            c12a = a12.fma(b0, c12a);
            c12b = a12.fma(b1, c12b);
            FloatVector a13 = FloatVector.broadcast(s, ap[q + 1]);
            c13a = a13.fma(b0, c13a);
            c13b = a13.fma(b1, c13b);
        }
        c0a.intoArray(c, co + 0 * ldc);
        c0b.intoArray(c, co + 0 * ldc + v);
        c1a.intoArray(c, co + 1 * ldc);
        c1b.intoArray(c, co + 1 * ldc + v);
        c2a.intoArray(c, co + 2 * ldc);
        c2b.intoArray(c, co + 2 * ldc + v);
        c3a.intoArray(c, co + 3 * ldc);
        c3b.intoArray(c, co + 3 * ldc + v);
        c4a.intoArray(c, co + 4 * ldc);
        c4b.intoArray(c, co + 4 * ldc + v);
        c5a.intoArray(c, co + 5 * ldc);
        c5b.intoArray(c, co + 5 * ldc + v);
        c6a.intoArray(c, co + 6 * ldc);
        c6b.intoArray(c, co + 6 * ldc + v);
        c7a.intoArray(c, co + 7 * ldc);
        c7b.intoArray(c, co + 7 * ldc + v);
        c8a.intoArray(c, co + 8 * ldc);
        c8b.intoArray(c, co + 8 * ldc + v);
        c9a.intoArray(c, co + 9 * ldc);
        c9b.intoArray(c, co + 9 * ldc + v);
        c10a.intoArray(c, co + 10 * ldc);
        c10b.intoArray(c, co + 10 * ldc + v);
        c11a.intoArray(c, co + 11 * ldc);
        c11b.intoArray(c, co + 11 * ldc + v);
        // the extra rows: C's old value added once, in each branch (no phi of vectors for C2 to box)
        if (add) {
            c12a.add(FloatVector.fromArray(s, c, co + 12 * ldc)).intoArray(c, co + 12 * ldc);
            c12b.add(FloatVector.fromArray(s, c, co + 12 * ldc + v)).intoArray(c, co + 12 * ldc + v);
            c13a.add(FloatVector.fromArray(s, c, co + 13 * ldc)).intoArray(c, co + 13 * ldc);
            c13b.add(FloatVector.fromArray(s, c, co + 13 * ldc + v)).intoArray(c, co + 13 * ldc + v);
        } else {
            c12a.intoArray(c, co + 12 * ldc);
            c12b.intoArray(c, co + 12 * ldc + v);
            c13a.intoArray(c, co + 13 * ldc);
            c13b.intoArray(c, co + 13 * ldc + v);
        }
    }

    /** 8 x 2V tile: 16 accumulators, 2 B vectors and the step's broadcasts live in registers; A's step {@code p} at {@code ap[ao + p*as]} (a strip of {@code as >= 8} rows: its first 8). */
    static void tile8(int kc, float[] ap, int ao, int as, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final VectorSpecies<Float> s = S;
        final int v = V;
        FloatVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b, c4a, c4b, c5a, c5b, c6a, c6b, c7a, c7b;
        if (add) {
            c0a = FloatVector.fromArray(s, c, co + 0 * ldc);
            c0b = FloatVector.fromArray(s, c, co + 0 * ldc + v);
            c1a = FloatVector.fromArray(s, c, co + 1 * ldc);
            c1b = FloatVector.fromArray(s, c, co + 1 * ldc + v);
            c2a = FloatVector.fromArray(s, c, co + 2 * ldc);
            c2b = FloatVector.fromArray(s, c, co + 2 * ldc + v);
            c3a = FloatVector.fromArray(s, c, co + 3 * ldc);
            c3b = FloatVector.fromArray(s, c, co + 3 * ldc + v);
            c4a = FloatVector.fromArray(s, c, co + 4 * ldc);
            c4b = FloatVector.fromArray(s, c, co + 4 * ldc + v);
            c5a = FloatVector.fromArray(s, c, co + 5 * ldc);
            c5b = FloatVector.fromArray(s, c, co + 5 * ldc + v);
            c6a = FloatVector.fromArray(s, c, co + 6 * ldc);
            c6b = FloatVector.fromArray(s, c, co + 6 * ldc + v);
            c7a = FloatVector.fromArray(s, c, co + 7 * ldc);
            c7b = FloatVector.fromArray(s, c, co + 7 * ldc + v);
        } else {
            c0a = FloatVector.zero(s);
            c0b = c0a;
            c1a = FloatVector.zero(s);
            c1b = c1a;
            c2a = FloatVector.zero(s);
            c2b = c2a;
            c3a = FloatVector.zero(s);
            c3b = c3a;
            c4a = FloatVector.zero(s);
            c4b = c4a;
            c5a = FloatVector.zero(s);
            c5b = c5a;
            c6a = FloatVector.zero(s);
            c6b = c6a;
            c7a = FloatVector.zero(s);
            c7b = c7a;
        }
        for (int p = 0; p < kc; p++) {
            int a = ao + p * as, b = bo + p * 2 * v;
            FloatVector b0 = FloatVector.fromArray(s, bp, b), b1 = FloatVector.fromArray(s, bp, b + v);
            FloatVector a0 = FloatVector.broadcast(s, ap[a + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(s, ap[a + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(s, ap[a + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(s, ap[a + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(s, ap[a + 4]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(s, ap[a + 5]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(s, ap[a + 6]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(s, ap[a + 7]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
        }
        c0a.intoArray(c, co + 0 * ldc);
        c0b.intoArray(c, co + 0 * ldc + v);
        c1a.intoArray(c, co + 1 * ldc);
        c1b.intoArray(c, co + 1 * ldc + v);
        c2a.intoArray(c, co + 2 * ldc);
        c2b.intoArray(c, co + 2 * ldc + v);
        c3a.intoArray(c, co + 3 * ldc);
        c3b.intoArray(c, co + 3 * ldc + v);
        c4a.intoArray(c, co + 4 * ldc);
        c4b.intoArray(c, co + 4 * ldc + v);
        c5a.intoArray(c, co + 5 * ldc);
        c5b.intoArray(c, co + 5 * ldc + v);
        c6a.intoArray(c, co + 6 * ldc);
        c6b.intoArray(c, co + 6 * ldc + v);
        c7a.intoArray(c, co + 7 * ldc);
        c7b.intoArray(c, co + 7 * ldc + v);
    }

    /** {@link #tile8} reading A unpacked, row-major: element {@code (r, p)} at {@code ap[ao + r*lda + p]}. */
    static void tile8Rows(int kc, float[] ap, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final VectorSpecies<Float> s = S;
        final int v = V;
        FloatVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b, c4a, c4b, c5a, c5b, c6a, c6b, c7a, c7b;
        if (add) {
            c0a = FloatVector.fromArray(s, c, co + 0 * ldc);
            c0b = FloatVector.fromArray(s, c, co + 0 * ldc + v);
            c1a = FloatVector.fromArray(s, c, co + 1 * ldc);
            c1b = FloatVector.fromArray(s, c, co + 1 * ldc + v);
            c2a = FloatVector.fromArray(s, c, co + 2 * ldc);
            c2b = FloatVector.fromArray(s, c, co + 2 * ldc + v);
            c3a = FloatVector.fromArray(s, c, co + 3 * ldc);
            c3b = FloatVector.fromArray(s, c, co + 3 * ldc + v);
            c4a = FloatVector.fromArray(s, c, co + 4 * ldc);
            c4b = FloatVector.fromArray(s, c, co + 4 * ldc + v);
            c5a = FloatVector.fromArray(s, c, co + 5 * ldc);
            c5b = FloatVector.fromArray(s, c, co + 5 * ldc + v);
            c6a = FloatVector.fromArray(s, c, co + 6 * ldc);
            c6b = FloatVector.fromArray(s, c, co + 6 * ldc + v);
            c7a = FloatVector.fromArray(s, c, co + 7 * ldc);
            c7b = FloatVector.fromArray(s, c, co + 7 * ldc + v);
        } else {
            c0a = FloatVector.zero(s);
            c0b = c0a;
            c1a = FloatVector.zero(s);
            c1b = c1a;
            c2a = FloatVector.zero(s);
            c2b = c2a;
            c3a = FloatVector.zero(s);
            c3b = c3a;
            c4a = FloatVector.zero(s);
            c4b = c4a;
            c5a = FloatVector.zero(s);
            c5b = c5a;
            c6a = FloatVector.zero(s);
            c6b = c6a;
            c7a = FloatVector.zero(s);
            c7b = c7a;
        }
        final int r0 = ao + 0 * lda, r1 = ao + 1 * lda, r2 = ao + 2 * lda, r3 = ao + 3 * lda, r4 = ao + 4 * lda, r5 = ao + 5 * lda, r6 = ao + 6 * lda, r7 = ao + 7 * lda;
        for (int p = 0; p < kc; p++) {
            int b = bo + p * 2 * v;
            FloatVector b0 = FloatVector.fromArray(s, bp, b), b1 = FloatVector.fromArray(s, bp, b + v);
            FloatVector a0 = FloatVector.broadcast(s, ap[r0 + p]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(s, ap[r1 + p]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(s, ap[r2 + p]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(s, ap[r3 + p]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(s, ap[r4 + p]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(s, ap[r5 + p]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(s, ap[r6 + p]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(s, ap[r7 + p]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
        }
        c0a.intoArray(c, co + 0 * ldc);
        c0b.intoArray(c, co + 0 * ldc + v);
        c1a.intoArray(c, co + 1 * ldc);
        c1b.intoArray(c, co + 1 * ldc + v);
        c2a.intoArray(c, co + 2 * ldc);
        c2b.intoArray(c, co + 2 * ldc + v);
        c3a.intoArray(c, co + 3 * ldc);
        c3b.intoArray(c, co + 3 * ldc + v);
        c4a.intoArray(c, co + 4 * ldc);
        c4b.intoArray(c, co + 4 * ldc + v);
        c5a.intoArray(c, co + 5 * ldc);
        c5b.intoArray(c, co + 5 * ldc + v);
        c6a.intoArray(c, co + 6 * ldc);
        c6b.intoArray(c, co + 6 * ldc + v);
        c7a.intoArray(c, co + 7 * ldc);
        c7b.intoArray(c, co + 7 * ldc + v);
    }

    /** 6 x 2V tile: 12 accumulators, 2 B vectors and one broadcast live in registers; A's step {@code p} at {@code ap[ao + p*as]} ({@code as >= 6}). */
    static void tile6(int kc, float[] ap, int ao, int as, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final VectorSpecies<Float> s = S;
        final int v = V;
        FloatVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b, c4a, c4b, c5a, c5b;
        if (add) {
            c0a = FloatVector.fromArray(s, c, co + 0 * ldc);
            c0b = FloatVector.fromArray(s, c, co + 0 * ldc + v);
            c1a = FloatVector.fromArray(s, c, co + 1 * ldc);
            c1b = FloatVector.fromArray(s, c, co + 1 * ldc + v);
            c2a = FloatVector.fromArray(s, c, co + 2 * ldc);
            c2b = FloatVector.fromArray(s, c, co + 2 * ldc + v);
            c3a = FloatVector.fromArray(s, c, co + 3 * ldc);
            c3b = FloatVector.fromArray(s, c, co + 3 * ldc + v);
            c4a = FloatVector.fromArray(s, c, co + 4 * ldc);
            c4b = FloatVector.fromArray(s, c, co + 4 * ldc + v);
            c5a = FloatVector.fromArray(s, c, co + 5 * ldc);
            c5b = FloatVector.fromArray(s, c, co + 5 * ldc + v);
        } else {
            c0a = FloatVector.zero(s);
            c0b = c0a;
            c1a = FloatVector.zero(s);
            c1b = c1a;
            c2a = FloatVector.zero(s);
            c2b = c2a;
            c3a = FloatVector.zero(s);
            c3b = c3a;
            c4a = FloatVector.zero(s);
            c4b = c4a;
            c5a = FloatVector.zero(s);
            c5b = c5a;
        }
        for (int p = 0; p < kc; p++) {
            int a = ao + p * as, b = bo + p * 2 * v;
            FloatVector b0 = FloatVector.fromArray(s, bp, b), b1 = FloatVector.fromArray(s, bp, b + v);
            FloatVector a0 = FloatVector.broadcast(s, ap[a + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(s, ap[a + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(s, ap[a + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(s, ap[a + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(s, ap[a + 4]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(s, ap[a + 5]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
        }
        c0a.intoArray(c, co + 0 * ldc);
        c0b.intoArray(c, co + 0 * ldc + v);
        c1a.intoArray(c, co + 1 * ldc);
        c1b.intoArray(c, co + 1 * ldc + v);
        c2a.intoArray(c, co + 2 * ldc);
        c2b.intoArray(c, co + 2 * ldc + v);
        c3a.intoArray(c, co + 3 * ldc);
        c3b.intoArray(c, co + 3 * ldc + v);
        c4a.intoArray(c, co + 4 * ldc);
        c4b.intoArray(c, co + 4 * ldc + v);
        c5a.intoArray(c, co + 5 * ldc);
        c5b.intoArray(c, co + 5 * ldc + v);
    }

    /** {@link #tile12} reading A unpacked, row-major: element {@code (r, p)} at {@code ap[ao + r*lda + p]}. */
    static void tile12Rows(int kc, float[] ap, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final VectorSpecies<Float> s = S;
        final int v = V;
        FloatVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b, c4a, c4b, c5a, c5b, c6a, c6b, c7a, c7b, c8a, c8b, c9a, c9b, c10a, c10b, c11a, c11b;
        if (add) {
            c0a = FloatVector.fromArray(s, c, co + 0 * ldc);
            c0b = FloatVector.fromArray(s, c, co + 0 * ldc + v);
            c1a = FloatVector.fromArray(s, c, co + 1 * ldc);
            c1b = FloatVector.fromArray(s, c, co + 1 * ldc + v);
            c2a = FloatVector.fromArray(s, c, co + 2 * ldc);
            c2b = FloatVector.fromArray(s, c, co + 2 * ldc + v);
            c3a = FloatVector.fromArray(s, c, co + 3 * ldc);
            c3b = FloatVector.fromArray(s, c, co + 3 * ldc + v);
            c4a = FloatVector.fromArray(s, c, co + 4 * ldc);
            c4b = FloatVector.fromArray(s, c, co + 4 * ldc + v);
            c5a = FloatVector.fromArray(s, c, co + 5 * ldc);
            c5b = FloatVector.fromArray(s, c, co + 5 * ldc + v);
            c6a = FloatVector.fromArray(s, c, co + 6 * ldc);
            c6b = FloatVector.fromArray(s, c, co + 6 * ldc + v);
            c7a = FloatVector.fromArray(s, c, co + 7 * ldc);
            c7b = FloatVector.fromArray(s, c, co + 7 * ldc + v);
            c8a = FloatVector.fromArray(s, c, co + 8 * ldc);
            c8b = FloatVector.fromArray(s, c, co + 8 * ldc + v);
            c9a = FloatVector.fromArray(s, c, co + 9 * ldc);
            c9b = FloatVector.fromArray(s, c, co + 9 * ldc + v);
            c10a = FloatVector.fromArray(s, c, co + 10 * ldc);
            c10b = FloatVector.fromArray(s, c, co + 10 * ldc + v);
            c11a = FloatVector.fromArray(s, c, co + 11 * ldc);
            c11b = FloatVector.fromArray(s, c, co + 11 * ldc + v);
        } else {
            c0a = FloatVector.zero(s);
            c0b = c0a;
            c1a = FloatVector.zero(s);
            c1b = c1a;
            c2a = FloatVector.zero(s);
            c2b = c2a;
            c3a = FloatVector.zero(s);
            c3b = c3a;
            c4a = FloatVector.zero(s);
            c4b = c4a;
            c5a = FloatVector.zero(s);
            c5b = c5a;
            c6a = FloatVector.zero(s);
            c6b = c6a;
            c7a = FloatVector.zero(s);
            c7b = c7a;
            c8a = FloatVector.zero(s);
            c8b = c8a;
            c9a = FloatVector.zero(s);
            c9b = c9a;
            c10a = FloatVector.zero(s);
            c10b = c10a;
            c11a = FloatVector.zero(s);
            c11b = c11a;
        }
        final int r0 = ao + 0 * lda, r1 = ao + 1 * lda, r2 = ao + 2 * lda, r3 = ao + 3 * lda, r4 = ao + 4 * lda, r5 = ao + 5 * lda, r6 = ao + 6 * lda, r7 = ao + 7 * lda, r8 = ao + 8 * lda, r9 = ao + 9 * lda, r10 = ao + 10 * lda, r11 = ao + 11 * lda;
        for (int p = 0; p < kc; p++) {
            int b = bo + p * 2 * v;
            FloatVector b0 = FloatVector.fromArray(s, bp, b), b1 = FloatVector.fromArray(s, bp, b + v);
            FloatVector a0 = FloatVector.broadcast(s, ap[r0 + p]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(s, ap[r1 + p]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(s, ap[r2 + p]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(s, ap[r3 + p]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(s, ap[r4 + p]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(s, ap[r5 + p]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(s, ap[r6 + p]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(s, ap[r7 + p]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            FloatVector a8 = FloatVector.broadcast(s, ap[r8 + p]);
            c8a = a8.fma(b0, c8a);
            c8b = a8.fma(b1, c8b);
            FloatVector a9 = FloatVector.broadcast(s, ap[r9 + p]);
            c9a = a9.fma(b0, c9a);
            c9b = a9.fma(b1, c9b);
            FloatVector a10 = FloatVector.broadcast(s, ap[r10 + p]);
            c10a = a10.fma(b0, c10a);
            c10b = a10.fma(b1, c10b);
            FloatVector a11 = FloatVector.broadcast(s, ap[r11 + p]);
            c11a = a11.fma(b0, c11a);
            c11b = a11.fma(b1, c11b);
        }
        c0a.intoArray(c, co + 0 * ldc);
        c0b.intoArray(c, co + 0 * ldc + v);
        c1a.intoArray(c, co + 1 * ldc);
        c1b.intoArray(c, co + 1 * ldc + v);
        c2a.intoArray(c, co + 2 * ldc);
        c2b.intoArray(c, co + 2 * ldc + v);
        c3a.intoArray(c, co + 3 * ldc);
        c3b.intoArray(c, co + 3 * ldc + v);
        c4a.intoArray(c, co + 4 * ldc);
        c4b.intoArray(c, co + 4 * ldc + v);
        c5a.intoArray(c, co + 5 * ldc);
        c5b.intoArray(c, co + 5 * ldc + v);
        c6a.intoArray(c, co + 6 * ldc);
        c6b.intoArray(c, co + 6 * ldc + v);
        c7a.intoArray(c, co + 7 * ldc);
        c7b.intoArray(c, co + 7 * ldc + v);
        c8a.intoArray(c, co + 8 * ldc);
        c8b.intoArray(c, co + 8 * ldc + v);
        c9a.intoArray(c, co + 9 * ldc);
        c9b.intoArray(c, co + 9 * ldc + v);
        c10a.intoArray(c, co + 10 * ldc);
        c10b.intoArray(c, co + 10 * ldc + v);
        c11a.intoArray(c, co + 11 * ldc);
        c11b.intoArray(c, co + 11 * ldc + v);
    }

    /** {@link #tile6} reading A unpacked, row-major: element {@code (r, p)} at {@code ap[ao + r*lda + p]}. */
    static void tile6Rows(int kc, float[] ap, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final VectorSpecies<Float> s = S;
        final int v = V;
        FloatVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b, c4a, c4b, c5a, c5b;
        if (add) {
            c0a = FloatVector.fromArray(s, c, co + 0 * ldc);
            c0b = FloatVector.fromArray(s, c, co + 0 * ldc + v);
            c1a = FloatVector.fromArray(s, c, co + 1 * ldc);
            c1b = FloatVector.fromArray(s, c, co + 1 * ldc + v);
            c2a = FloatVector.fromArray(s, c, co + 2 * ldc);
            c2b = FloatVector.fromArray(s, c, co + 2 * ldc + v);
            c3a = FloatVector.fromArray(s, c, co + 3 * ldc);
            c3b = FloatVector.fromArray(s, c, co + 3 * ldc + v);
            c4a = FloatVector.fromArray(s, c, co + 4 * ldc);
            c4b = FloatVector.fromArray(s, c, co + 4 * ldc + v);
            c5a = FloatVector.fromArray(s, c, co + 5 * ldc);
            c5b = FloatVector.fromArray(s, c, co + 5 * ldc + v);
        } else {
            c0a = FloatVector.zero(s);
            c0b = c0a;
            c1a = FloatVector.zero(s);
            c1b = c1a;
            c2a = FloatVector.zero(s);
            c2b = c2a;
            c3a = FloatVector.zero(s);
            c3b = c3a;
            c4a = FloatVector.zero(s);
            c4b = c4a;
            c5a = FloatVector.zero(s);
            c5b = c5a;
        }
        final int r0 = ao + 0 * lda, r1 = ao + 1 * lda, r2 = ao + 2 * lda, r3 = ao + 3 * lda, r4 = ao + 4 * lda, r5 = ao + 5 * lda;
        for (int p = 0; p < kc; p++) {
            int b = bo + p * 2 * v;
            FloatVector b0 = FloatVector.fromArray(s, bp, b), b1 = FloatVector.fromArray(s, bp, b + v);
            FloatVector a0 = FloatVector.broadcast(s, ap[r0 + p]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(s, ap[r1 + p]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(s, ap[r2 + p]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(s, ap[r3 + p]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(s, ap[r4 + p]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(s, ap[r5 + p]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
        }
        c0a.intoArray(c, co + 0 * ldc);
        c0b.intoArray(c, co + 0 * ldc + v);
        c1a.intoArray(c, co + 1 * ldc);
        c1b.intoArray(c, co + 1 * ldc + v);
        c2a.intoArray(c, co + 2 * ldc);
        c2b.intoArray(c, co + 2 * ldc + v);
        c3a.intoArray(c, co + 3 * ldc);
        c3b.intoArray(c, co + 3 * ldc + v);
        c4a.intoArray(c, co + 4 * ldc);
        c4b.intoArray(c, co + 4 * ldc + v);
        c5a.intoArray(c, co + 5 * ldc);
        c5b.intoArray(c, co + 5 * ldc + v);
    }

    /** 4 x 2V tile: 8 accumulators, 2 B vectors and 4 broadcasts live in registers (AVX2: 14 of 16); A's step {@code p} at {@code ap[ao + p*as]} ({@code as >= 4}). */
    static void tile4(int kc, float[] ap, int ao, int as, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final VectorSpecies<Float> s = S;
        final int v = V;
        FloatVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b;
        if (add) {
            c0a = FloatVector.fromArray(s, c, co + 0 * ldc);
            c0b = FloatVector.fromArray(s, c, co + 0 * ldc + v);
            c1a = FloatVector.fromArray(s, c, co + 1 * ldc);
            c1b = FloatVector.fromArray(s, c, co + 1 * ldc + v);
            c2a = FloatVector.fromArray(s, c, co + 2 * ldc);
            c2b = FloatVector.fromArray(s, c, co + 2 * ldc + v);
            c3a = FloatVector.fromArray(s, c, co + 3 * ldc);
            c3b = FloatVector.fromArray(s, c, co + 3 * ldc + v);
        } else {
            c0a = FloatVector.zero(s);
            c0b = c0a;
            c1a = FloatVector.zero(s);
            c1b = c1a;
            c2a = FloatVector.zero(s);
            c2b = c2a;
            c3a = FloatVector.zero(s);
            c3b = c3a;
        }
        for (int p = 0; p < kc; p++) {
            int a = ao + p * as, b = bo + p * 2 * v;
            FloatVector b0 = FloatVector.fromArray(s, bp, b), b1 = FloatVector.fromArray(s, bp, b + v);
            FloatVector a0 = FloatVector.broadcast(s, ap[a + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(s, ap[a + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(s, ap[a + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(s, ap[a + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
        }
        c0a.intoArray(c, co + 0 * ldc);
        c0b.intoArray(c, co + 0 * ldc + v);
        c1a.intoArray(c, co + 1 * ldc);
        c1b.intoArray(c, co + 1 * ldc + v);
        c2a.intoArray(c, co + 2 * ldc);
        c2b.intoArray(c, co + 2 * ldc + v);
        c3a.intoArray(c, co + 3 * ldc);
        c3b.intoArray(c, co + 3 * ldc + v);
    }

    /** {@link #tile4} reading A unpacked, row-major: element {@code (r, p)} at {@code ap[ao + r*lda + p]}. */
    static void tile4Rows(int kc, float[] ap, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        final VectorSpecies<Float> s = S;
        final int v = V;
        FloatVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b;
        if (add) {
            c0a = FloatVector.fromArray(s, c, co + 0 * ldc);
            c0b = FloatVector.fromArray(s, c, co + 0 * ldc + v);
            c1a = FloatVector.fromArray(s, c, co + 1 * ldc);
            c1b = FloatVector.fromArray(s, c, co + 1 * ldc + v);
            c2a = FloatVector.fromArray(s, c, co + 2 * ldc);
            c2b = FloatVector.fromArray(s, c, co + 2 * ldc + v);
            c3a = FloatVector.fromArray(s, c, co + 3 * ldc);
            c3b = FloatVector.fromArray(s, c, co + 3 * ldc + v);
        } else {
            c0a = FloatVector.zero(s);
            c0b = c0a;
            c1a = FloatVector.zero(s);
            c1b = c1a;
            c2a = FloatVector.zero(s);
            c2b = c2a;
            c3a = FloatVector.zero(s);
            c3b = c3a;
        }
        final int r0 = ao + 0 * lda, r1 = ao + 1 * lda, r2 = ao + 2 * lda, r3 = ao + 3 * lda;
        for (int p = 0; p < kc; p++) {
            int b = bo + p * 2 * v;
            FloatVector b0 = FloatVector.fromArray(s, bp, b), b1 = FloatVector.fromArray(s, bp, b + v);
            FloatVector a0 = FloatVector.broadcast(s, ap[r0 + p]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(s, ap[r1 + p]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(s, ap[r2 + p]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(s, ap[r3 + p]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
        }
        c0a.intoArray(c, co + 0 * ldc);
        c0b.intoArray(c, co + 0 * ldc + v);
        c1a.intoArray(c, co + 1 * ldc);
        c1b.intoArray(c, co + 1 * ldc + v);
        c2a.intoArray(c, co + 2 * ldc);
        c2b.intoArray(c, co + 2 * ldc + v);
        c3a.intoArray(c, co + 3 * ldc);
        c3b.intoArray(c, co + 3 * ldc + v);
    }
}
