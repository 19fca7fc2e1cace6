package dev.jasg.viewer.graph;

import dev.jasg.core.Op;
import dev.jasg.core.UnaryOp;

import java.util.EnumSet;
import java.util.Set;

/**
 * Sorts ops into {@link Category categories}. It matches on the op records it knows and falls back
 * on the op's label for the rest ({@code conv...}, {@code ...pool...}), so an op added to asg-core
 * later gets a sensible colour without a change here; only colours have a fallback, never texts.
 */
public final class Categories {
    /** The unary kinds that are activation functions (and may replace one another in the Model Lab). */
    public static final Set<UnaryOp> ACTIVATIONS = EnumSet.of(UnaryOp.RELU, UnaryOp.SIGMOID, UnaryOp.TANH, UnaryOp.GELU,
            UnaryOp.GELU_TANH, UnaryOp.SILU, UnaryOp.SOFTPLUS, UnaryOp.ELU, UnaryOp.LEAKY_RELU);

    private Categories() {}

    /** The category of {@code op} as it appears in a forward graph. */
    public static Category of(Op op) {
        return switch (op) {
            case Op.Input i -> Category.INPUT;
            case Op.Parameter p -> Category.PARAMETER;
            case Op.Constant c -> Category.CONSTANT;
            case Op.Unary u -> ACTIVATIONS.contains(u.kind()) ? Category.ACTIVATION : Category.ARITHMETIC;
            case Op.Softmax s -> Category.ACTIVATION;
            case Op.LogSoftmax s -> Category.ACTIVATION;
            case Op.Binary b -> Category.ARITHMETIC;
            case Op.Compare c -> Category.ARITHMETIC;
            case Op.Where w -> Category.ARITHMETIC;
            case Op.MatMul m -> Category.ARITHMETIC;
            case Op.Linalg l -> Category.ARITHMETIC;
            case Op.Attention a -> Category.ARITHMETIC;
            case Op.AttentionStats a -> Category.ARITHMETIC;
            case Op.AttentionGrad a -> Category.ARITHMETIC;
            case Op.Cast c -> Category.ARITHMETIC;
            case Op.StopGradient s -> Category.SHAPE;
            case Op.DropoutMask d -> Category.ARITHMETIC;
            case Op.Reduce r -> Category.REDUCTION;
            case Op.ArgReduce a -> Category.REDUCTION;
            case Op.Count c -> Category.REDUCTION;
            case Op.CumSum c -> Category.REDUCTION;
            case Op.CumProd c -> Category.REDUCTION;
            case Op.ArgSort a -> Category.REDUCTION;
            case Op.Normalize n -> Category.NORMALISATION;
            case Op.Reshape r -> Category.SHAPE;
            case Op.Permute p -> Category.SHAPE;
            case Op.Expand e -> Category.SHAPE;
            case Op.Slice s -> Category.SHAPE;
            case Op.SliceScatter s -> Category.SHAPE;
            case Op.Concat c -> Category.SHAPE;
            case Op.Gather g -> Category.SHAPE;
            case Op.ScatterAdd s -> Category.SHAPE;
            // Convolutions, pooling and whatever asg-core adds next: judged by the label.
            default -> byLabel(op.label());
        };
    }

    /** The category an unknown op's label suggests. */
    static Category byLabel(String label) {
        if (label.contains("conv") || label.contains("pool")) return Category.CONVOLUTION;
        if (label.contains("norm")) return Category.NORMALISATION;
        return Category.ARITHMETIC;
    }

    /** True for an elementwise activation that the Model Lab can replace. */
    public static boolean isActivation(Op op) {
        return op instanceof Op.Unary u && ACTIVATIONS.contains(u.kind());
    }
}
