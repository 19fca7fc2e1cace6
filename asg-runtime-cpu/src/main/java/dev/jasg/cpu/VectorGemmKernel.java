package dev.jasg.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
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
        if (MR == 12) tile12(kc, ap, ao, bp, bo, c, co, ldc, add);
        else if (MR == 8) tile8(kc, ap, ao, bp, bo, c, co, ldc, add);
        else if (MR == 4) tile4(kc, ap, ao, bp, bo, c, co, ldc, add);
        else tile6(kc, ap, ao, bp, bo, c, co, ldc, add);
    }

    /** {@code bp[bo + p*NR + j] = b[off + p*rs + j]} for {@code p < kc, j < NR}: a full strip of B packed, two vectors a row. */
    static void copyRows(int kc, float[] b, int off, int rs, float[] bp, int bo) {
        for (int p = 0; p < kc; p++) {
            int src = off + p * rs, dst = bo + p * NR;
            FloatVector.fromArray(S, b, src).intoArray(bp, dst);
            FloatVector.fromArray(S, b, src + V).intoArray(bp, dst + V);
        }
    }

    /** Four floats: the unit {@link #copySteps} moves a strip's step in. */
    private static final VectorSpecies<Float> S4 = FloatVector.SPECIES_128;

    /**
     * {@code ap[at + p*MR + r] = a[off + p*cs + r]} for {@code p < kc, r < MR}: a full strip of a transposed A
     * packed, its {@code MR} contiguous floats a step moved four at a time (MR is even; a last pair moves as scalars).
     */
    static void copySteps(int kc, float[] a, int off, int cs, float[] ap, int at) {
        final int quads = MR / 4 * 4;
        for (int p = 0; p < kc; p++) {
            int src = off + p * cs, dst = at + p * MR;
            for (int r = 0; r < quads; r += 4) FloatVector.fromArray(S4, a, src + r).intoArray(ap, dst + r);
            for (int r = quads; r < MR; r++) ap[dst + r] = a[src + r];
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

    /**
     * {@link #tile} with A not packed but read where it lies, row-major with leading dimension {@code lda}:
     * {@code A[r, p] = a[ao + r*lda + p]}. The micro-kernel broadcasts A one element at a time anyway, so
     * {@code MR} row streams serve it as well as a packed strip, and packing row-major A (a strided
     * scatter) is skipped.
     */
    static void tileRows(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        if (MR == 12) tile12Rows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
        else if (MR == 8) tile8Rows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
        else if (MR == 4) tile4Rows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
        else tile6Rows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
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

    /** 8 x 2V tile: 16 accumulators, 2 B vectors and the step's broadcasts live in registers. */
    static void tile8(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
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
            int a = ao + p * 8, b = bo + p * 2 * v;
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

    /** 6 x 2V tile: 12 accumulators, 2 B vectors and one broadcast live in registers. */
    static void tile6(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
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
            int a = ao + p * 6, b = bo + p * 2 * v;
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

    /** 4 x 2V tile: 8 accumulators, 2 B vectors and 4 broadcasts live in registers (AVX2: 14 of 16). */
    static void tile4(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
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
            int a = ao + p * 4, b = bo + p * 2 * v;
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
