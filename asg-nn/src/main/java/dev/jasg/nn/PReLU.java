package dev.jasg.nn;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.PReLU}: {@code x} where {@code x >= 0}, else {@code weight x}, with a learned
 * {@code weight [num_parameters]} initialised to {@code init} (0.25): one slope shared by all
 * channels ({@code num_parameters=1}, the default) or one per channel on axis 1
 * ({@link Tensor#prelu}).
 */
public final class PReLU extends Layer {
    private final int numParameters;
    private final double init;

    /** One shared slope starting at 0.25. */
    public PReLU() {
        this(1, 0.25);
    }

    /** {@code numParameters} slopes (1 or the channel count) starting at {@code init}. */
    public PReLU(int numParameters, double init) {
        if (numParameters < 1) throw new IllegalArgumentException("PReLU: num_parameters must be >= 1, got " + numParameters);
        this.numParameters = numParameters;
        this.init = init;
        registerParameter("weight", Initializers.constant(init), numParameters);
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.prelu(parameter(x, "weight"));
    }

    @Override
    protected String extraRepr() {
        return "num_parameters=" + numParameters;
    }
}
