package dev.jasg.nn.recurrent;

import dev.jasg.core.Tensor;

/**
 * What a recurrent layer returns, PyTorch's {@code (output, h_n)} or {@code (output, (h_n, c_n))}.
 *
 * @param output the top layer's hidden state at every step, both directions concatenated on the last axis:
 *               {@code [T, N, D * hidden]} ({@code [N, T, D * hidden]} when {@code batch_first}, {@code [T, D * hidden]}
 *               for an unbatched input); zero at the steps past a sequence's length
 * @param hN     the final hidden state of every layer and direction, {@code [num_layers * D, N, hidden]} in the
 *               order {@code l0, l0_reverse, l1, ...} (never batch-first, as in PyTorch); with lengths, a forward
 *               direction's state at the sequence's last valid step
 * @param cN     the final cell state, shaped as {@code hN}, for {@link LSTM}; null for {@link RNN} and {@link GRU}
 */
public record RecurrentOutput(Tensor output, Tensor hN, Tensor cN) {}
