package dev.jasg.nn.recurrent;

import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Initializers;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Repr;

/**
 * One step of a recurrence, as PyTorch's {@code RNNCellBase}, shared by {@link RNNCell}, {@link LSTMCell} and
 * {@link GRUCell}. Parameters {@code weight_ih [gates * hidden, input_size]}, {@code weight_hh
 * [gates * hidden, hidden]} and with {@code bias} {@code bias_ih}, {@code bias_hh [gates * hidden]}, all from
 * {@code U(-1/sqrt(hidden), 1/sqrt(hidden))}. Input {@code [N, input_size]} or unbatched {@code [input_size]};
 * states {@code [N, hidden]} or {@code [hidden]}, null for zeros.
 */
public abstract class RecurrentCell extends Layer {
    private final CellKind kind;
    private final int inputSize;
    private final int hiddenSize;
    private final boolean bias;

    RecurrentCell(CellKind kind, int inputSize, int hiddenSize, boolean bias) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input_size and hidden_size must be positive, got "
                    + inputSize + " and " + hiddenSize);
        }
        this.kind = kind;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.bias = bias;
        double k = 1 / Math.sqrt(hiddenSize);
        Initializers.Initializer init = Initializers.uniform(-k, k);
        int rows = kind.gates * hiddenSize;
        registerParameter("weight_ih", init, rows, inputSize);
        registerParameter("weight_hh", init, rows, hiddenSize);
        if (bias) {
            registerParameter("bias_ih", init, rows);
            registerParameter("bias_hh", init, rows);
        }
    }

    /** Number of input features. */
    public final int inputSize() {
        return inputSize;
    }

    /** Number of hidden features. */
    public final int hiddenSize() {
        return hiddenSize;
    }

    /** True when the cell has the biases {@code b_ih} and {@code b_hh}. */
    public final boolean hasBias() {
        return bias;
    }

    /** The next hidden state {@code h'} from a zero state. */
    @Override
    public Tensor forward(Tensor x) {
        return step(x, null, null)[0];
    }

    /** {@code {h', c'}} in this cell's scope ({@code c'} null except for LSTM). */
    final Tensor[] applyWith(Tensor x, Tensor h, Tensor c) {
        Tensor[][] out = new Tensor[1][];
        inScope(x.builder(), () -> (out[0] = step(x, h, c))[0]);
        return out[0];
    }

    private String where() {
        return getClass().getSimpleName() + (name() == null ? "" : " '" + name() + "'");
    }

    private Tensor[] step(Tensor x, Tensor h, Tensor c) {
        Shape s = x.shape();
        if (!x.dtype().isFloat() || (s.rank() != 1 && s.rank() != 2) || s.isSymbolic(s.rank() - 1) || s.dim(s.rank() - 1) != inputSize) {
            throw new ShapeException(where() + ": input must be a float [N, " + inputSize + "] or [" + inputSize + "], got "
                    + x.dtype().label() + s + " at node " + x.id());
        }
        boolean batched = s.rank() == 2;
        Tensor xb = batched ? x : x.unsqueeze(0);
        Shape state = batched ? Shape.symbolic(s.parts().get(0), hiddenSize) : Shape.of(hiddenSize);
        h = checkState("hx", h, state, batched);
        c = checkState("cx", c, state, batched);
        Tensor gi = xb.matmul(parameter(x, "weight_ih").mT());
        if (bias) gi = gi.add(parameter(x, "bias_ih"));
        Tensor[] next = kind.step(gi, h, c, parameter(x, "weight_hh"), bias ? parameter(x, "bias_hh") : null, hiddenSize);
        if (!batched) {
            next[0] = next[0].squeeze(0);
            if (next[1] != null) next[1] = next[1].squeeze(0);
        }
        return next;
    }

    private Tensor checkState(String what, Tensor t, Shape expected, boolean batched) {
        if (t == null) return null;
        if (!t.shape().equals(expected)) {
            throw new ShapeException(where() + ": state " + what + " must be " + expected + " for the input, got " + t.shape()
                    + " at node " + t.id());
        }
        return batched ? t : t.unsqueeze(0);
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (bias ? "" : ", bias=" + Repr.of(false));
    }
}
