package dev.jasg.nn.recurrent;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.GRUCell}: one GRU step with gates {@code r, z, n} ({@code weight_ih [3 * hidden, input_size]}),
 * {@code n = tanh(W_in x + b_in + r * (W_hn h + b_hn))}, {@code h' = (1 - z) * n + z * h} (see {@link GRU}).
 */
public final class GRUCell extends RecurrentCell {
    /** A cell with bias. */
    public GRUCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true);
    }

    /** {@code nn.GRUCell(input_size, hidden_size, bias)}. */
    public GRUCell(int inputSize, int hiddenSize, boolean bias) {
        super(CellKind.GRU, inputSize, hiddenSize, bias);
    }

    /** PyTorch's {@code cell(x, h)}: {@code h'}; a null {@code h} is zero. */
    public Tensor apply(Tensor x, Tensor h) {
        return applyWith(x, h, null)[0];
    }
}
