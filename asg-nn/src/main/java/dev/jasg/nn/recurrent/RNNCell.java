package dev.jasg.nn.recurrent;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.RNNCell}: {@code h' = act(W_ih x + b_ih + W_hh h + b_hh)}, {@code act} tanh (the default) or relu.
 */
public final class RNNCell extends RecurrentCell {
    private final String nonlinearity;

    /** A tanh cell with bias. */
    public RNNCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, "tanh");
    }

    /** {@code nn.RNNCell(input_size, hidden_size, bias, nonlinearity)}; {@code nonlinearity} is "tanh" or "relu". */
    public RNNCell(int inputSize, int hiddenSize, boolean bias, String nonlinearity) {
        super(RNN.kindOf(nonlinearity, "RNNCell"), inputSize, hiddenSize, bias);
        this.nonlinearity = nonlinearity.toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code "tanh"} or {@code "relu"}. */
    public String nonlinearity() {
        return nonlinearity;
    }

    /** PyTorch's {@code cell(x, h)}: {@code h'}; a null {@code h} is zero. */
    public Tensor apply(Tensor x, Tensor h) {
        return applyWith(x, h, null)[0];
    }

    @Override
    protected String extraRepr() {
        String s = super.extraRepr();
        return nonlinearity.equals("tanh") ? s : s + ", nonlinearity=" + dev.jasg.nn.Repr.of(nonlinearity);
    }
}
