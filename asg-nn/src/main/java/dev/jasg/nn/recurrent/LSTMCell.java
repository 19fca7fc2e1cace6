package dev.jasg.nn.recurrent;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.LSTMCell}: one LSTM step with gates {@code i, f, g, o} ({@code weight_ih [4 * hidden, input_size]}),
 * {@code c' = σ(f) * c + σ(i) * tanh(g)}, {@code h' = σ(o) * tanh(c')} (see {@link LSTM} for the gate formulas).
 * {@link #apply(Tensor, Tensor, Tensor)} gives {@code (h', c')}; {@link #forward(Tensor)} gives {@code h'} from zero states.
 */
public final class LSTMCell extends RecurrentCell {
    /** The state an LSTM cell returns: {@code h'} and {@code c'}, each {@code [N, hidden]}. */
    public record State(Tensor h, Tensor c) {}

    /** A cell with bias. */
    public LSTMCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true);
    }

    /** {@code nn.LSTMCell(input_size, hidden_size, bias)}. */
    public LSTMCell(int inputSize, int hiddenSize, boolean bias) {
        super(CellKind.LSTM, inputSize, hiddenSize, bias);
    }

    /** PyTorch's {@code cell(x, (h, c))}; a null {@code h} or {@code c} is zero. */
    public State apply(Tensor x, Tensor h, Tensor c) {
        Tensor[] next = applyWith(x, h, c);
        return new State(next[0], next[1]);
    }
}
