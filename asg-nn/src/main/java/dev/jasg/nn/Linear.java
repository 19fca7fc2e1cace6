package dev.jasg.nn;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.Linear}: {@code y = x W^T + b} with weight {@code W} of shape
 * {@code [out_features, in_features]} and bias {@code b} of shape {@code [out_features]}.
 * Both start as PyTorch's do, {@code U(-1/sqrt(in), 1/sqrt(in))}
 * ({@link Initializers#linearDefaultWeight()}, {@link Initializers#linearDefaultBias(long)}).
 * Input {@code [..., in]}, output {@code [..., out]}.
 */
public final class Linear extends Layer {
    private final int inFeatures;
    private final int outFeatures;
    private final boolean bias;

    /** A layer with a bias. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    /** A layer with a bias when {@code bias}. */
    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Initializers.linearDefaultWeight(), Initializers.linearDefaultBias(inFeatures));
    }

    /** A layer whose weight and bias start from {@code weightInit} and {@code biasInit} (the latter unused without a bias). */
    public Linear(int inFeatures, int outFeatures, boolean bias, Initializers.Initializer weightInit, Initializers.Initializer biasInit) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: in_features and out_features must be positive, got " + inFeatures + " and " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.bias = bias;
        registerParameter("weight", weightInit, outFeatures, inFeatures);
        if (bias) registerParameter("bias", biasInit, outFeatures);
    }

    /** Size of each input sample. */
    public int inFeatures() {
        return inFeatures;
    }

    /** Size of each output sample. */
    public int outFeatures() {
        return outFeatures;
    }

    /** True when the layer adds a bias. */
    public boolean hasBias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x.matmul(parameter(x, "weight").mT());
        return bias ? y.add(parameter(x, "bias")) : y;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + Repr.of(bias);
    }
}
