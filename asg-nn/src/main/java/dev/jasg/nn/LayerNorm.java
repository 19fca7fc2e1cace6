package dev.jasg.nn;

import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.util.Arrays;

/**
 * {@code torch.nn.ModuleNorm}: normalises over the last {@code k = normalized_shape.length}
 * axes, {@code y = (x - mean) / sqrt(var + eps) * weight + bias} with the biased variance
 * (one {@link dev.jasg.core.Op.Normalize} node), {@code weight} (ones) and {@code bias}
 * (zeros) of {@code normalized_shape} when {@code elementwiseAffine}.
 */
public final class LayerNorm extends Layer {
    private final int[] normalizedShape;
    private final double eps;
    private final boolean elementwiseAffine;

    /** eps 1e-5 with an affine transform, as PyTorch. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    /** A layer over the trailing axes {@code normalizedShape}. */
    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("LayerNorm: normalized_shape must not be empty");
        for (int d : normalizedShape) {
            if (d <= 0) throw new IllegalArgumentException("LayerNorm: normalized_shape " + Arrays.toString(normalizedShape) + " must be positive");
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.elementwiseAffine = elementwiseAffine;
        if (elementwiseAffine) {
            registerParameter("weight", Initializers.ones(), normalizedShape);
            registerParameter("bias", Initializers.zeros(), normalizedShape);
        }
    }

    /** The normalized (trailing) shape. */
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /**
     * A new layer with these settings whose last normalized axis has {@code size} elements, with
     * fresh parameters: what the Model Lab puts in place of this one when the features feeding it change.
     */
    public LayerNorm withLastDim(int size) {
        int[] s = normalizedShape.clone();
        s[s.length - 1] = size;
        return new LayerNorm(s, eps, elementwiseAffine);
    }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length;
        Shape want = Shape.of(normalizedShape);
        if (x.rank() < k || !x.shape().sub(x.rank() - k, x.rank()).equals(want)) {
            throw new IllegalArgumentException("LayerNorm: input " + x.shape() + " does not end with normalized_shape " + want);
        }
        return elementwiseAffine ? x.layerNorm(k, parameter(x, "weight"), parameter(x, "bias"), eps) : x.layerNorm(k, null, null, eps);
    }

    @Override
    protected String extraRepr() {
        return "(" + Arrays.toString(normalizedShape).replaceAll("[\\[\\]]", "") + (normalizedShape.length == 1 ? "," : "") + "), eps=" + Repr.of(eps)
                + ", elementwise_affine=" + Repr.of(elementwiseAffine);
    }
}
