package dev.jasg.nn.recurrent;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.Initializers;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Repr;

import java.util.ArrayList;
import java.util.List;

/**
 * The multi-layer recurrent network that {@link RNN}, {@link LSTM} and {@link GRU} share, as PyTorch's
 * {@code RNNBase}: {@code num_layers} stacked recurrences, each optionally bidirectional, layer {@code l + 1}
 * reading layer {@code l}'s output (both directions concatenated), with dropout on every layer's output but the
 * last's in training mode.
 *
 * <p>Parameters, in PyTorch's order and with its names and shapes, for each layer {@code l} and direction
 * (suffix {@code ""} or {@code "_reverse"}): {@code weight_ih_l<l>} {@code [gates * hidden, in_l]},
 * {@code weight_hh_l<l>} {@code [gates * hidden, hidden]}, and with {@code bias} {@code bias_ih_l<l>} and
 * {@code bias_hh_l<l>} {@code [gates * hidden]}, where {@code in_0 = input_size},
 * {@code in_l = D * hidden} above ({@code D = 2} when bidirectional) and {@code gates} is 1, 4 or 3. Every one
 * starts from {@code U(-1/sqrt(hidden), 1/sqrt(hidden))}.
 *
 * <p>The graph is unrolled over the input's sequence length, which must be a concrete size; the batch size
 * may be symbolic. Input {@code [T, N, input_size]} ({@code [N, T, input_size]} with {@code batch_first}, or
 * unbatched {@code [T, input_size]}). Initial states {@code h0} (and {@code c0}) are
 * {@code [num_layers * D, N, hidden]} ({@code [num_layers * D, hidden]} unbatched) or null for zeros.
 *
 * <p>Variable lengths, as {@code pack_padded_sequence(x, lengths, enforce_sorted=False)} and
 * {@code pad_packed_sequence(total_length=T)}: an I32 {@code lengths [N]} with values in {@code [1, T]}
 * (checked when fed) makes each step {@code t >= lengths[n]} keep sequence {@code n}'s state,
 * {@code h_t = where(t < len, new, old)}, and output zero. So a forward direction's {@code h_n} is its
 * state at the sequence's last valid step, and a reverse direction, which starts at {@code t = T - 1}, keeps
 * its initial state through the padding and begins at each sequence's own last valid step, as PyTorch's packed
 * sequences do.
 *
 * <p>Differences from PyTorch: no {@code proj_size} for LSTM; a dropout layer between layers brings a
 * non-trainable buffer {@code dropout.seed} (the {@link Dropout} seed), which a PyTorch {@code state_dict} lacks.
 */
public abstract class RecurrentLayer extends Layer {
    private final CellKind kind;
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean bias;
    private final boolean batchFirst;
    private final double dropout;
    private final boolean bidirectional;
    private final Dropout between;

    RecurrentLayer(CellKind kind, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
            double dropout, boolean bidirectional) {
        String me = getClass().getSimpleName();
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException(me + ": input_size, hidden_size and num_layers must be positive, got "
                    + inputSize + ", " + hiddenSize + " and " + numLayers);
        }
        if (!(dropout >= 0 && dropout <= 1)) throw new IllegalArgumentException(me + ": dropout must be in [0, 1], got " + dropout);
        this.kind = kind;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.bidirectional = bidirectional;
        int rows = kind.gates * hiddenSize;
        double k = 1 / Math.sqrt(hiddenSize);
        Initializers.Initializer init = Initializers.uniform(-k, k);
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : hiddenSize * directions();
            for (int d = 0; d < directions(); d++) {
                String sfx = suffix(l, d);
                registerParameter("weight_ih" + sfx, init, rows, in);
                registerParameter("weight_hh" + sfx, init, rows, hiddenSize);
                if (bias) {
                    registerParameter("bias_ih" + sfx, init, rows);
                    registerParameter("bias_hh" + sfx, init, rows);
                }
            }
        }
        // PyTorch applies dropout to the outputs of all layers but the last, so one layer has none.
        between = dropout > 0 && numLayers > 1 ? register("dropout", new Dropout(dropout)) : null;
    }

    private static String suffix(int layer, int direction) {
        return "_l" + layer + (direction == 1 ? "_reverse" : "");
    }

    /** Number of features of each input step. */
    public final int inputSize() {
        return inputSize;
    }

    /** Number of features of the hidden state. */
    public final int hiddenSize() {
        return hiddenSize;
    }

    /** Number of stacked layers. */
    public final int numLayers() {
        return numLayers;
    }

    /** True when the layer has the biases {@code b_ih} and {@code b_hh}. */
    public final boolean hasBias() {
        return bias;
    }

    /** True when input and output are {@code [N, T, features]}. */
    public final boolean batchFirst() {
        return batchFirst;
    }

    /** Dropout probability on every layer's output but the last's, in training mode. */
    public final double dropout() {
        return dropout;
    }

    /** True when each layer also runs over the sequence backwards. */
    public final boolean bidirectional() {
        return bidirectional;
    }

    /** 2 when bidirectional, else 1. */
    public final int directions() {
        return bidirectional ? 2 : 1;
    }

    /** The output sequence for zero initial states and full-length sequences; see {@link RecurrentOutput#output()}. */
    @Override
    public Tensor forward(Tensor x) {
        return run(x, null, null, null).output();
    }

    /** Runs the layer in its scope; {@code c0} must be null except for LSTM. */
    final RecurrentOutput applyWith(Tensor x, Tensor h0, Tensor c0, Tensor lengths) {
        RecurrentOutput[] out = new RecurrentOutput[1];
        inScope(x.builder(), () -> (out[0] = run(x, h0, c0, lengths)).output());
        return out[0];
    }

    private String where() {
        return getClass().getSimpleName() + (name() == null ? "" : " '" + name() + "'");
    }

    private RecurrentOutput run(Tensor x, Tensor h0, Tensor c0, Tensor lengths) {
        boolean batched = checkInput(x);
        int dirs = directions();
        Tensor seq = batched ? (batchFirst ? x.transpose(0, 1) : x) : x.unsqueeze(1);
        int steps = seq.shape().dim(0);
        Shape stateShape = batched
                ? Shape.symbolic(numLayers * dirs, seq.shape().parts().get(1), hiddenSize)
                : Shape.of(numLayers * dirs, hiddenSize);
        h0 = checkState("h0", h0, stateShape, batched);
        c0 = checkState("c0", c0, stateShape, batched);
        Tensor[] keep = lengths == null ? null : masks(lengths, seq, steps, batched);

        Tensor layerIn = seq;
        List<Tensor> hN = new ArrayList<>(), cN = new ArrayList<>();
        for (int l = 0; l < numLayers; l++) {
            Tensor[] dirOut = new Tensor[dirs];
            for (int d = 0; d < dirs; d++) {
                String sfx = suffix(l, d);
                Tensor wih = parameter(x, "weight_ih" + sfx), whh = parameter(x, "weight_hh" + sfx);
                Tensor bih = bias ? parameter(x, "bias_ih" + sfx) : null, bhh = bias ? parameter(x, "bias_hh" + sfx) : null;
                // W_ih x + b_ih for all steps at once: one [T, N, in] x [in, gates*hidden] product
                Tensor gi = layerIn.matmul(wih.mT());
                if (bih != null) gi = gi.add(bih);
                Tensor h = h0 == null ? null : h0.select(0, l * dirs + d);
                Tensor c = c0 == null ? null : c0.select(0, l * dirs + d);
                Tensor[] outs = new Tensor[steps];
                for (int s = 0; s < steps; s++) {
                    int t = d == 0 ? s : steps - 1 - s;
                    Tensor[] next = kind.step(gi.select(0, t), h, c, whh, bhh, hiddenSize);
                    if (keep == null) {
                        h = next[0];
                        c = next[1];
                        outs[t] = h;
                    } else {
                        // past a sequence's end: keep the state (a null state is zero), output zero
                        h = h == null ? keep[t].where(next[0], 0) : keep[t].where(next[0], h);
                        if (next[1] != null) c = c == null ? keep[t].where(next[1], 0) : keep[t].where(next[1], c);
                        outs[t] = keep[t].where(next[0], 0);
                    }
                }
                dirOut[d] = Tensor.stack(0, outs);
                hN.add(h);
                if (c != null) cN.add(c);
            }
            layerIn = Tensor.concat(-1, dirOut);
            if (between != null && l < numLayers - 1) layerIn = between.apply(layerIn);
        }
        Tensor output = batched ? (batchFirst ? layerIn.transpose(0, 1) : layerIn) : layerIn.squeeze(1);
        Tensor hOut = Tensor.stack(0, hN.toArray(Tensor[]::new));
        Tensor cOut = cN.isEmpty() ? null : Tensor.stack(0, cN.toArray(Tensor[]::new));
        if (!batched) {
            hOut = hOut.squeeze(1);
            if (cOut != null) cOut = cOut.squeeze(1);
        }
        return new RecurrentOutput(output, hOut, cOut);
    }

    /** Checks x's rank, dtype and sizes; true when it is batched (rank 3). */
    private boolean checkInput(Tensor x) {
        Shape s = x.shape();
        String expected = batchFirst ? "[N, T, " + inputSize + "]" : "[T, N, " + inputSize + "]";
        if (!x.dtype().isFloat()) {
            throw new ShapeException(where() + ": input must be a float tensor " + expected + ", got " + x.dtype().label() + s + " at node " + x.id());
        }
        if (s.rank() != 3 && s.rank() != 2) {
            throw new ShapeException(where() + ": input must be " + expected + " or unbatched [T, " + inputSize + "], got "
                    + s + " at node " + x.id());
        }
        int last = s.rank() - 1;
        if (s.isSymbolic(last) || s.dim(last) != inputSize) {
            throw new ShapeException(where() + ": input_size is " + inputSize + " but the input " + s + " has " + s.parts().get(last)
                    + " features on its last axis at node " + x.id());
        }
        int timeAxis = s.rank() == 3 && batchFirst ? 1 : 0;
        if (s.isSymbolic(timeAxis) || s.dim(timeAxis) < 1) {
            throw new ShapeException(where() + ": the graph is unrolled over the sequence, so its length (axis " + timeAxis + " of "
                    + s + ") must be a concrete size >= 1 at node " + x.id());
        }
        return s.rank() == 3;
    }

    /** Null, or {@code state} checked against {@code expected} and made batched. */
    private Tensor checkState(String what, Tensor state, Shape expected, boolean batched) {
        if (state == null) return null;
        if (what.equals("c0") && kind != CellKind.LSTM) {
            throw new IllegalArgumentException(where() + ": only LSTM has a cell state c0");
        }
        if (!state.shape().equals(expected)) {
            throw new ShapeException(where() + ": " + what + " must be " + expected + " ([num_layers * directions, "
                    + (batched ? "N, " : "") + "hidden_size]), got " + state.shape() + " at node " + state.id());
        }
        return batched ? state : state.unsqueeze(1);
    }

    /** {@code keep[t] = t < lengths} as a BOOL {@code [N, 1]} mask per step. */
    private Tensor[] masks(Tensor lengths, Tensor seq, int steps, boolean batched) {
        if (!batched) throw new ShapeException(where() + ": lengths need a batched input [T, N, features] or [N, T, features]");
        Shape ls = lengths.shape();
        if (lengths.dtype() != DType.I32 || ls.rank() != 1 || !ls.sameDim(0, seq.shape(), 1)) {
            throw new ShapeException(where() + ": lengths must be " + DType.I32.label() + "[" + seq.shape().parts().get(1) + "] (one per sequence of the input "
                    + seq.shape() + " read as [T, N, features]), got " + lengths.dtype().label() + ls + " at node " + lengths.id());
        }
        GraphBuilder b = lengths.builder();
        b.requireRange(lengths, 1, steps + 1L, null, where() + " lengths");
        Tensor column = lengths.unsqueeze(1);
        Tensor[] keep = new Tensor[steps];
        for (int t = 0; t < steps; t++) keep[t] = column.gt(t);
        return keep;
    }

    /** One line, as PyTorch prints it: the dropout between layers is a setting here, not a listed child. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + extraRepr() + ")";
    }

    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (numLayers != 1) s.append(", num_layers=").append(numLayers);
        if (!bias) s.append(", bias=").append(Repr.of(false));
        if (batchFirst) s.append(", batch_first=").append(Repr.of(true));
        if (dropout != 0) s.append(", dropout=").append(Repr.of(dropout));
        if (bidirectional) s.append(", bidirectional=").append(Repr.of(true));
        return s.toString();
    }
}
