package dev.jasg.nn.attention;

import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Initializers;
import dev.jasg.nn.Layer;

/**
 * A trained position embedding (BERT, GPT-2), added to its input: a parameter
 * {@code weight [max_len, d]} whose first rows are sliced to the sequence length,
 * {@code forward(x [..., L, d]) = x + weight[offset : offset + L]} for any {@code L} with
 * {@code offset + L <= max_len}. It starts as {@code N(0, 0.02^2)}, GPT-2's choice
 * ({@code nn.Embedding} would start at {@code N(0, 1)}, too large next to small token embeddings).
 */
public final class LearnedPositionalEmbedding extends Layer {
    private final int maxLen;
    private final int dModel;

    /** Positions below {@code maxLen}, {@code dModel} features, {@code N(0, 0.02^2)} start. */
    public LearnedPositionalEmbedding(int maxLen, int dModel) {
        this(maxLen, dModel, Initializers.normal(0, 0.02));
    }

    /** Positions below {@code maxLen}, {@code dModel} features, starting from {@code init}. */
    public LearnedPositionalEmbedding(int maxLen, int dModel, Initializers.Initializer init) {
        if (maxLen <= 0 || dModel <= 0) throw new IllegalArgumentException("LearnedPositionalEmbedding: sizes must be positive, got " + maxLen + ", " + dModel);
        this.maxLen = maxLen;
        this.dModel = dModel;
        registerParameter("weight", init, maxLen, dModel);
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /** {@link #forward(Tensor, int)} in this module's scope: positions start at {@code offset} (continuing a sequence). */
    public Tensor apply(Tensor x, int offset) {
        return inScope(x.builder(), () -> forward(x, offset));
    }

    /** {@code x + weight[offset : offset + L]} for {@code x [..., L, d]}, in the caller's scope. */
    public Tensor forward(Tensor x, int offset) {
        Shape s = x.shape();
        int r = s.rank();
        if (r < 2 || s.isSymbolic(r - 2) || s.isSymbolic(r - 1) || s.dim(r - 1) != dModel) {
            throw new ShapeException("LearnedPositionalEmbedding: input must be [..., seq, " + dModel + "] with concrete seq, got " + s + " at node " + x.id());
        }
        int len = s.dim(r - 2);
        if (offset < 0 || offset + len > maxLen) {
            throw new ShapeException("LearnedPositionalEmbedding: positions " + offset + ".." + (offset + len - 1) + " exceed max_len " + maxLen + " at node " + x.id());
        }
        Tensor w = parameter(x, "weight");
        return x.add(w.slice(0, offset, offset + len).cast(x.dtype()));
    }

    /** Largest sequence length supported. */
    public int maxLen() {
        return maxLen;
    }

    @Override
    protected String extraRepr() {
        return "max_len=" + maxLen + ", d_model=" + dModel;
    }
}
