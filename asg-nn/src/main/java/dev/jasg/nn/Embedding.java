package dev.jasg.nn;

import dev.jasg.core.DType;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.Embedding}: a table {@code weight [num_embeddings, embedding_dim]},
 * initialised N(0, 1) as PyTorch, looked up by integer indices of any shape:
 * {@code y[i..., :] = weight[idx[i...], :]} ({@link Tensor#gather}), output
 * {@code [..., embedding_dim]}.
 *
 * <p>With a {@code paddingIdx}, lookups of that index give zeros and the row gets no
 * gradient, as PyTorch's zero-initialised padding row. Here the output is masked where
 * {@code idx == paddingIdx} (cost {@code N * D}), because a core initialiser that zeroes one
 * row of a seeded normal draw does not exist; the stored row therefore keeps its random
 * start, but it is never read and never trained.
 */
public final class Embedding extends Layer {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final Integer paddingIdx;

    /** A table without a padding index. */
    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, null);
    }

    /**
     * A table whose row {@code paddingIdx} (negative counts from the end; null for none) reads
     * as zeros and gets no gradient.
     */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException("Embedding: num_embeddings and embedding_dim must be positive, got " + numEmbeddings + " and " + embeddingDim);
        }
        if (paddingIdx != null) {
            if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
                throw new IllegalArgumentException("Embedding: padding_idx " + paddingIdx + " must be within num_embeddings " + numEmbeddings);
            }
            if (paddingIdx < 0) paddingIdx += numEmbeddings;
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx;
        registerParameter("weight", Initializers.normal(0, 1), numEmbeddings, embeddingDim);
    }

    /** Number of rows. */
    public int numEmbeddings() {
        return numEmbeddings;
    }

    /** Size of each row. */
    public int embeddingDim() {
        return embeddingDim;
    }

    /** The padding row, or null. */
    public Integer paddingIdx() {
        return paddingIdx;
    }

    @Override
    public Tensor forward(Tensor indices) {
        if (indices.dtype() != DType.I32 && indices.dtype() != DType.I64) {
            throw new IllegalArgumentException("Embedding: indices must be i32 or i64, got " + indices.dtype().label() + indices.shape());
        }
        Tensor y = parameter(indices, "weight").gather(indices);
        if (paddingIdx == null) return y;
        // zero rows (and so zero gradients into the padding row) where the index is the padding index
        Tensor keep = indices.ne(paddingIdx).cast(DType.F32).unsqueeze(-1);
        return y.mul(keep);
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx);
    }
}
