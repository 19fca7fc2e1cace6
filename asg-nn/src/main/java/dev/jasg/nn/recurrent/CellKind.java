package dev.jasg.nn.recurrent;

import dev.jasg.core.Tensor;

/**
 * The recurrence a layer or cell computes, with PyTorch's formulas. {@code gi = W_ih x + b_ih} is computed by
 * the caller (for a layer, for all time steps in one matrix product); {@link #step} adds the hidden-state part.
 * A null {@code h} or {@code c} stands for a zero state, which saves the {@code W_hh h} product of a first step.
 */
enum CellKind {
    /** {@code h' = tanh(W_ih x + b_ih + W_hh h + b_hh)}. */
    RNN_TANH(1),
    /** {@code h' = relu(W_ih x + b_ih + W_hh h + b_hh)}. */
    RNN_RELU(1),
    /**
     * Gates {@code i, f, g, o} (that order in the weights' rows): {@code i = σ(..), f = σ(..), g = tanh(..),
     * o = σ(..)}, {@code c' = f * c + i * g}, {@code h' = o * tanh(c')}.
     */
    LSTM(4),
    /**
     * Gates {@code r, z, n}: {@code r = σ(W_ir x + b_ir + W_hr h + b_hr)}, {@code z} likewise,
     * {@code n = tanh(W_in x + b_in + r * (W_hn h + b_hn))}, {@code h' = (1 - z) * n + z * h}.
     */
    GRU(3);

    /** Number of gate blocks stacked in the rows of {@code weight_ih} and {@code weight_hh}. */
    final int gates;

    CellKind(int gates) {
        this.gates = gates;
    }

    /** The new state {@code {h', c'}} ({@code c'} null except for LSTM). */
    Tensor[] step(Tensor gi, Tensor h, Tensor c, Tensor whh, Tensor bhh, int hidden) {
        // gh = W_hh h + b_hh, or just b_hh (possibly null) for a zero h
        Tensor gh = h == null ? bhh : plus(h.matmul(whh.mT()), bhh);
        return switch (this) {
            case RNN_TANH -> new Tensor[] {plus(gi, gh).tanh(), null};
            case RNN_RELU -> new Tensor[] {plus(gi, gh).relu(), null};
            case LSTM -> {
                Tensor a = plus(gi, gh);
                Tensor i = gate(a, 0, hidden).sigmoid();
                Tensor f = gate(a, 1, hidden).sigmoid();
                Tensor g = gate(a, 2, hidden).tanh();
                Tensor o = gate(a, 3, hidden).sigmoid();
                Tensor c1 = c == null ? i.mul(g) : f.mul(c).add(i.mul(g));
                yield new Tensor[] {o.mul(c1.tanh()), c1};
            }
            case GRU -> {
                Tensor z = plus(gate(gi, 1, hidden), gate(gh, 1, hidden)).sigmoid();
                Tensor hn = gate(gh, 2, hidden);
                Tensor n = gate(gi, 2, hidden);
                // r only matters through r * (W_hn h + b_hn), which is absent for a zero h without bias
                if (hn != null) n = n.add(plus(gate(gi, 0, hidden), gate(gh, 0, hidden)).sigmoid().mul(hn));
                n = n.tanh();
                // (1 - z) * n + z * h = n + z * (h - n)
                Tensor h1 = h == null ? z.rsub(1).mul(n) : n.add(z.mul(h.sub(n)));
                yield new Tensor[] {h1, null};
            }
        };
    }

    /** Gate block {@code k} of the last axis ({@code [.., gates * hidden]}), or null for a null tensor. */
    private static Tensor gate(Tensor t, int k, int hidden) {
        return t == null ? null : t.slice(-1, k * hidden, (k + 1) * hidden);
    }

    private static Tensor plus(Tensor a, Tensor b) {
        return a == null ? b : b == null ? a : a.add(b);
    }
}
