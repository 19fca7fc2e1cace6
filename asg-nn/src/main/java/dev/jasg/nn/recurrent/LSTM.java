package dev.jasg.nn.recurrent;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.LSTM}: for each layer and direction, with gates {@code i, f, g, o} stacked in that order in the
 * rows of the weights ({@code weight_ih_l0 [4 * hidden, input_size]} ...),
 * <pre>
 * i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
 * g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
 * c' = f * c + i * g                       h' = o * tanh(c')
 * </pre>
 * Layers, directions, lengths, initial states, parameter layout and unrolling are described in
 * {@link RecurrentLayer}. {@link #apply(Tensor, Tensor, Tensor, Tensor)} gives {@code (output, h_n, c_n)};
 * {@link #forward(Tensor)} gives the output sequence only. No {@code proj_size}.
 */
public final class LSTM extends RecurrentLayer {
    /** One layer, with bias, sequence-first, no dropout, one direction: {@code nn.LSTM(input_size, hidden_size)}. */
    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, 0, false);
    }

    /** {@code nn.LSTM(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)}. */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout, boolean bidirectional) {
        super(CellKind.LSTM, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
    }

    /**
     * PyTorch's {@code lstm(x, (h0, c0))}, with {@code pack_padded_sequence} lengths: {@code h0} and {@code c0}
     * {@code [num_layers * D, N, hidden]} or null for zeros, {@code lengths} I32 {@code [N]} in {@code [1, T]} or
     * null for full-length sequences. Returns the output sequence, {@code h_n} and {@code c_n}.
     */
    public RecurrentOutput apply(Tensor x, Tensor h0, Tensor c0, Tensor lengths) {
        return applyWith(x, h0, c0, lengths);
    }
}
