package dev.jasg.cpu;

import dev.jasg.core.DType;

/**
 * Dtype conversion of values stored as floats: {@code out = to.round(x)}, i.e. truncation
 * toward zero for integers, {@code x != 0} for BOOL, identity for F32, round to nearest even
 * for F16 and BF16 (whose values the backend stores as the floats they stand for).
 */
final class CastKernel {
    private CastKernel() {}

    /**
     * Converts elements {@code [from, end)} of {@code x} to {@code to} into {@code out} (a plan's step runs a cast as a
     * {@link LoopStep}, split over the pool).
     */
    static void castRange(DType to, float[] x, float[] out, int from, int end) {
        switch (to) {
            case F32, F64 -> System.arraycopy(x, from, out, from, end - from);
            case BOOL -> { for (int i = from; i < end; i++) out[i] = x[i] != 0 ? 1f : 0f; }
            case I32, I64 -> { for (int i = from; i < end; i++) out[i] = (float) to.round(x[i]); }
            case F16 -> { for (int i = from; i < end; i++) out[i] = dev.jasg.core.HalfFloats.roundF16(x[i]); }
            case BF16 -> { for (int i = from; i < end; i++) out[i] = dev.jasg.core.HalfFloats.roundBf16(x[i]); }
        }
    }

    /** True when converting {@code from} to {@code to} leaves every stored float unchanged, so the value may alias its input. */
    static boolean isIdentity(DType from, DType to) {
        if (from == to || from == DType.BOOL) return true;
        // integers are stored exactly, so widening them to another integer type or to F32 changes nothing;
        // a half value is a float, so widening it to F32 changes nothing either
        return (from.isInteger() && (to.isInteger() || to == DType.F32)) || (from.isHalf() && (to == DType.F32 || to == DType.F64));
    }
}
