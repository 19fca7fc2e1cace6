package dev.jasg.opencl;

import dev.jasg.core.ArgReduceOp;
import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.UnaryOp;

/**
 * The op codes the kernels switch on: one exhaustive switch per enum, so a new constant does not compile until
 * it has a code here and a case in the {@code .cl} file ({@code #define U_NAME}, {@code B_NAME}, {@code C_NAME},
 * {@code R_NAME} in elementwise.cl and reduce.cl; {@code OpCodesTest} checks that the two agree). Stateless.
 */
final class OpCodes {
    private OpCodes() {}

    /** {@code U_*} in elementwise.cl. */
    static int unary(UnaryOp k) {
        return switch (k) {
            case NEG -> 0;
            case ABS -> 1;
            case SIGN -> 2;
            case EXP -> 3;
            case EXPM1 -> 4;
            case LOG -> 5;
            case LOG1P -> 6;
            case SQRT -> 7;
            case RSQRT -> 8;
            case SIN -> 9;
            case COS -> 10;
            case ERF -> 11;
            case RELU -> 12;
            case SIGMOID -> 13;
            case TANH -> 14;
            case GELU -> 15;
            case GELU_TANH -> 16;
            case SILU -> 17;
            case SOFTPLUS -> 18;
            case ELU -> 19;
            case LEAKY_RELU -> 20;
            case CLAMP -> 21;
            case FLOOR -> 22;
            case ROUND -> 23;
            case GELU_DERIVATIVE -> 24;
            case GELU_TANH_DERIVATIVE -> 25;
        };
    }

    /** {@code B_*} in elementwise.cl. */
    static int binary(BinaryOp k) {
        return switch (k) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case POW -> 4;
            case MAXIMUM -> 5;
            case MINIMUM -> 6;
            case ATAN2 -> 7;
            case FMOD -> 8;
        };
    }

    /** {@code C_*} in elementwise.cl (the same kernel as the binary ops). */
    static int compare(CompareOp k) {
        return switch (k) {
            case EQ -> 16;
            case NE -> 17;
            case LT -> 18;
            case LE -> 19;
            case GT -> 20;
            case GE -> 21;
        };
    }

    /** {@code R_*} in reduce.cl. */
    static int reduce(ReduceOp k) {
        return switch (k) {
            case SUM -> 0;
            case MEAN -> 1;
            case MAX -> 2;
            case MIN -> 3;
        };
    }

    /** The flag of {@code arg_reduce} in reduce.cl. */
    static int argReduce(ArgReduceOp k) {
        return switch (k) {
            case ARGMAX -> 0;
            case ARGMIN -> 1;
        };
    }
}
