package dev.jasg.nn.recurrent;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.GRU}: for each layer and direction, with gates {@code r, z, n} stacked in that order in the rows
 * of the weights ({@code weight_ih_l0 [3 * hidden, input_size]} ...),
 * <pre>
 * r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 * h' = (1 - z) * n + z * h
 * </pre>
 * Layers, directions, lengths, initial states, parameter layout and unrolling are described in
 * {@link RecurrentLayer}. {@link #apply(Tensor, Tensor, Tensor)} gives {@code (output, h_n)};
 * {@link #forward(Tensor)} gives the output sequence only.
 */
public final class GRU extends RecurrentLayer {
    /** One layer, with bias, sequence-first, no dropout, one direction: {@code nn.GRU(input_size, hidden_size)}. */
    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, 0, false);
    }

    /** {@code nn.GRU(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)}. */
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout, boolean bidirectional) {
        super(CellKind.GRU, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
    }

    /**
     * PyTorch's {@code gru(x, h0)}, with {@code pack_padded_sequence} lengths: {@code h0}
     * {@code [num_layers * D, N, hidden]} or null for zeros, {@code lengths} I32 {@code [N]} in {@code [1, T]} or
     * null for full-length sequences. Returns the output sequence and {@code h_n} ({@code cN} is null).
     */
    public RecurrentOutput apply(Tensor x, Tensor h0, Tensor lengths) {
        return applyWith(x, h0, null, lengths);
    }
}
