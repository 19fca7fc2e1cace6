package dev.jasg.nn.recurrent;

import dev.jasg.core.Tensor;

import java.util.Locale;

/**
 * {@code torch.nn.RNN}, the Elman network: for each layer and direction
 * {@code h' = act(W_ih x + b_ih + W_hh h + b_hh)} with {@code act} tanh (the default) or relu
 * ({@code weight_ih_l0 [hidden, input_size]} ...). Layers, directions, lengths, initial states, parameter layout
 * and unrolling are described in {@link RecurrentLayer}. {@link #apply(Tensor, Tensor, Tensor)} gives
 * {@code (output, h_n)}; {@link #forward(Tensor)} gives the output sequence only.
 */
public final class RNN extends RecurrentLayer {
    private final String nonlinearity;

    /** One tanh layer, with bias, sequence-first, no dropout, one direction: {@code nn.RNN(input_size, hidden_size)}. */
    public RNN(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, "tanh", true, false, 0, false);
    }

    /**
     * {@code nn.RNN(input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout, bidirectional)};
     * {@code nonlinearity} is {@code "tanh"} or {@code "relu"}.
     */
    public RNN(int inputSize, int hiddenSize, int numLayers, String nonlinearity, boolean bias, boolean batchFirst, double dropout,
            boolean bidirectional) {
        super(kindOf(nonlinearity, "RNN"), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
        this.nonlinearity = nonlinearity.toLowerCase(Locale.ROOT);
    }

    static CellKind kindOf(String nonlinearity, String who) {
        return switch (nonlinearity == null ? "" : nonlinearity.toLowerCase(Locale.ROOT)) {
            case "tanh" -> CellKind.RNN_TANH;
            case "relu" -> CellKind.RNN_RELU;
            default -> throw new IllegalArgumentException(who + ": unknown nonlinearity '" + nonlinearity + "'; expected 'tanh' or 'relu'");
        };
    }

    /** {@code "tanh"} or {@code "relu"}. */
    public String nonlinearity() {
        return nonlinearity;
    }

    /**
     * PyTorch's {@code rnn(x, h0)}, with {@code pack_padded_sequence} lengths: {@code h0}
     * {@code [num_layers * D, N, hidden]} or null for zeros, {@code lengths} I32 {@code [N]} in {@code [1, T]} or
     * null for full-length sequences. Returns the output sequence and {@code h_n} ({@code cN} is null).
     */
    public RecurrentOutput apply(Tensor x, Tensor h0, Tensor lengths) {
        return applyWith(x, h0, null, lengths);
    }

    @Override
    protected String extraRepr() {
        String s = super.extraRepr();
        return nonlinearity.equals("tanh") ? s : s + ", nonlinearity=" + dev.jasg.nn.Repr.of(nonlinearity);
    }
}
