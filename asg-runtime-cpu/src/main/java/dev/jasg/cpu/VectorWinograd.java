package dev.jasg.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The input and output transforms of {@link WinogradConv} on the Java Vector API, one lane per tile of a strip of
 * {@code nr} tiles (a multiple of the vector length): the 6 x 6 patches or frequencies of the strip's tiles are laid
 * out as {@code [36][nr]}, so every step is a whole vector loaded, combined and stored with unit stride. Only
 * {@link WinogradConv} touches this class, and only when {@link Simd#ENABLED}.
 */
final class VectorWinograd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats of one vector. */
    static final int V = S.length();

    private VectorWinograd() {}

    /**
     * {@code out[at + f fs + l] = (B^T d B)_f} of lane {@code l < nr}, with {@code d[(i 6 + j) nr + l]} the patch and
     * {@code t} ({@code 36 nr} floats) scratch: first {@code t = B^T d} column by column, then each row of {@code t}.
     */
    static void input(float[] d, float[] t, int nr, float[] out, int at, int fs) {
        for (int l = 0; l < nr; l += V) {
            for (int j = 0; j < 6; j++) bt(d, j * nr + l, 6 * nr, t, j * nr + l, 6 * nr);
            for (int i = 0; i < 6; i++) bt(t, 6 * i * nr + l, nr, out, at + 6 * i * fs + l, fs);
        }
    }

    /** The first 12 lanes (16-lane vectors only: {@link #inputRows}). */
    private static final VectorMask<Float> FIRST12 = V == 16 ? VectorMask.fromLong(S, 0xFFFL) : null;

    /**
     * {@link #input} for exchanged operands, a strip of 12 tiles a vector: vector {@code q < vectors} holds its strip's
     * tiles in lanes 0-11 of {@code d[p nr + 16 q ..]} ({@code nr = 16 x} the strips of the group), and frequency {@code f}
     * of its lane {@code i} goes to {@code out[at + q as + f fs + i]}, stored under a mask of 12 lanes. 16-lane vectors
     * only.
     */
    static void inputRows(float[] d, float[] t, int nr, int vectors, float[] out, int at, int fs, int as) {
        for (int q = 0; q < vectors; q++) {
            int l = 16 * q;
            for (int j = 0; j < 6; j++) bt(d, j * nr + l, 6 * nr, t, j * nr + l, 6 * nr);
            for (int i = 0; i < 6; i++) btRows(t, 6 * i * nr + l, nr, out, at + q * as + 6 * i * fs, fs);
        }
    }

    /** {@link #bt} of the vectors at {@code in[io + k is]}, each result's first 12 lanes stored at {@code out[oo + i os]}. */
    private static void btRows(float[] in, int io, int is, float[] out, int oo, int os) {
        FloatVector z0 = FloatVector.fromArray(S, in, io), z1 = FloatVector.fromArray(S, in, io + is),
                z2 = FloatVector.fromArray(S, in, io + 2 * is), z3 = FloatVector.fromArray(S, in, io + 3 * is),
                z4 = FloatVector.fromArray(S, in, io + 4 * is), z5 = FloatVector.fromArray(S, in, io + 5 * is);
        FloatVector a = z4.sub(z2.mul(4f)), b = z3.sub(z1.mul(4f)), p = z4.sub(z2), q = z3.sub(z1).mul(2f);
        z0.mul(4f).add(z4).sub(z2.mul(5f)).intoArray(out, oo, FIRST12);
        a.add(b).intoArray(out, oo + os, FIRST12);
        a.sub(b).intoArray(out, oo + 2 * os, FIRST12);
        p.add(q).intoArray(out, oo + 3 * os, FIRST12);
        p.sub(q).intoArray(out, oo + 4 * os, FIRST12);
        z1.mul(4f).add(z5).sub(z3.mul(5f)).intoArray(out, oo + 5 * os, FIRST12);
    }

    /** {@code out[oo + i os] = (B^T z)_i} for {@code z_k} the vector at {@code in[io + k is]} (see {@link WinogradConv}). */
    private static void bt(float[] in, int io, int is, float[] out, int oo, int os) {
        FloatVector z0 = FloatVector.fromArray(S, in, io), z1 = FloatVector.fromArray(S, in, io + is),
                z2 = FloatVector.fromArray(S, in, io + 2 * is), z3 = FloatVector.fromArray(S, in, io + 3 * is),
                z4 = FloatVector.fromArray(S, in, io + 4 * is), z5 = FloatVector.fromArray(S, in, io + 5 * is);
        FloatVector a = z4.sub(z2.mul(4f)), b = z3.sub(z1.mul(4f)), p = z4.sub(z2), q = z3.sub(z1).mul(2f);
        z0.mul(4f).add(z4).sub(z2.mul(5f)).intoArray(out, oo);
        a.add(b).intoArray(out, oo + os);
        a.sub(b).intoArray(out, oo + 2 * os);
        p.add(q).intoArray(out, oo + 3 * os);
        p.sub(q).intoArray(out, oo + 4 * os);
        z1.mul(4f).add(z5).sub(z3.mul(5f)).intoArray(out, oo + 5 * os);
    }

    /**
     * {@code out[(i 4 + j) nr + l] = (A^T M A)_{ij}} of lane {@code l < nr}, with frequency {@code f} of lane {@code l} at
     * {@code m[mo + f ldf + l]} and {@code t} ({@code 24 nr} floats) scratch: first {@code t = A^T M} column by column,
     * then each row of {@code t}.
     */
    static void output(float[] m, int mo, int ldf, float[] t, int nr, float[] out) {
        for (int l = 0; l < nr; l += V) {
            for (int j = 0; j < 6; j++) at(m, mo + j * ldf + l, 6 * ldf, t, j * nr + l, 6 * nr);
            for (int i = 0; i < 4; i++) at(t, 6 * i * nr + l, nr, out, 4 * i * nr + l, nr);
        }
    }

    /** {@code out[oo + i os] = (A^T z)_i} for {@code z_k} the vector at {@code in[io + k is]}. */
    private static void at(float[] in, int io, int is, float[] out, int oo, int os) {
        FloatVector z0 = FloatVector.fromArray(S, in, io), z1 = FloatVector.fromArray(S, in, io + is),
                z2 = FloatVector.fromArray(S, in, io + 2 * is), z3 = FloatVector.fromArray(S, in, io + 3 * is),
                z4 = FloatVector.fromArray(S, in, io + 4 * is), z5 = FloatVector.fromArray(S, in, io + 5 * is);
        FloatVector s = z1.add(z2), dd = z1.sub(z2), s2 = z3.add(z4), d2 = z3.sub(z4);
        z0.add(s).add(s2).intoArray(out, oo);
        dd.add(d2.mul(2f)).intoArray(out, oo + os);
        s.add(s2.mul(4f)).intoArray(out, oo + 2 * os);
        dd.add(d2.mul(8f)).add(z5).intoArray(out, oo + 3 * os);
    }
}
