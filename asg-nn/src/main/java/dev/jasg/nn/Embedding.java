package dev.jasg.nn;

import dev.jasg.core.DType;
import dev.jasg.core.Init;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.Embedding}: a table {@code weight [num_embeddings, embedding_dim]},
 * initialised N(0, 1) as PyTorch, looked up by integer indices of any shape:
 * {@code y[i..., :] = weight[idx[i...], :]} ({@link Tensor#gather}), output
 * {@code [..., embedding_dim]}.
 *
 * <p>{@code padding_idx}, as PyTorch: lookups of that index read the stored row as it is, and
 * the row gets no gradient (the lookups there are cut from the gradient graph). Difference:
 * PyTorch zeroes that row when it initialises the table; JASG has no initialiser that zeroes one
 * row of a seeded normal draw, so the row keeps its random start until a checkpoint or
 * {@code Parameters.set} gives it a value (it never trains).
 *
 * <p>{@code max_norm} (with {@code norm_type}, default 2): a looked-up row whose p-norm exceeds
 * {@code max_norm} is read scaled by {@code max_norm / (norm + 1e-7)}, as PyTorch. PyTorch writes
 * the scaled rows back into the weight in place, outside autograd; JASG does not modify the
 * stored weight (its rows are renormalised anew at every lookup), and, as in PyTorch, the
 * gradient reaching the weight is the output gradient unscaled.
 *
 * <p>{@code scale_grad_by_freq}: each row's gradient is divided by how often its index occurs in
 * the batch, as PyTorch. Both options change only the gradient graph through a
 * {@code carrier + detach(value - carrier)} construction, so the forward value may differ from the
 * plain product by a rounding.
 */
public final class Embedding extends Layer {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final Integer paddingIdx;
    private final Double maxNorm;
    private final double normType;
    private final boolean scaleGradByFreq;

    /** A table without a padding index. */
    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, null);
    }

    /**
     * A table whose row {@code paddingIdx} (negative counts from the end; null for none) is read
     * as stored and gets no gradient.
     */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        this(numEmbeddings, embeddingDim, paddingIdx, null, 2, false);
    }

    /**
     * Every option of {@code torch.nn.Embedding}: {@code paddingIdx} (null for none),
     * {@code maxNorm} (null for none), {@code normType} (PyTorch's default 2) and
     * {@code scaleGradByFreq}.
     */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Double maxNorm, double normType, boolean scaleGradByFreq) {
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
        if (maxNorm != null && !(maxNorm > 0)) throw new IllegalArgumentException("Embedding: max_norm must be positive, got " + maxNorm);
        if (!(normType > 0)) throw new IllegalArgumentException("Embedding: norm_type must be positive, got " + normType);
        this.maxNorm = maxNorm;
        this.normType = normType;
        this.scaleGradByFreq = scaleGradByFreq;
        // N(0, 1) as PyTorch, with the padding row starting at zero as PyTorch's reset_parameters leaves it
        Init base = Init.normal(0, 1);
        registerParameter("weight", Shape.of(numEmbeddings, embeddingDim), DType.F32, paddingIdx == null ? base : new Init.ZeroRow(base, paddingIdx), true);
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
        Tensor rows = parameter(indices, "weight").gather(indices);                 // [..., D]
        Tensor value = rows;       // what the lookup reads
        Tensor carrier = rows;     // what carries the gradient to the table
        if (maxNorm != null) {
            Tensor norm = normType == 2 ? rows.square().sum(-1, true).sqrt()
                    : normType == 1 ? rows.abs().sum(-1, true)
                    : rows.abs().pow(normType).sum(-1, true).pow(1 / normType);
            Tensor scale = norm.gt(maxNorm).where(norm.add(1e-7).reciprocal().mul(maxNorm), 1).detach();
            value = rows.mul(scale);
        }
        if (scaleGradByFreq) {
            Tensor ones = rows.scalarLike(1).broadcastTo(indices.shape());
            Tensor count = ones.scatterAdd(indices, numEmbeddings).gather(indices).unsqueeze(-1).detach();   // [..., 1]
            carrier = rows.div(count);
        }
        if (paddingIdx != null) {
            Tensor pad = indices.eq(paddingIdx).unsqueeze(-1).broadcastTo(rows.shape());
            carrier = pad.where(carrier.detach(), carrier);
        }
        return carrier == value ? value : carrier.add(value.sub(carrier).detach());
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx)
                + (maxNorm == null ? "" : ", max_norm=" + Repr.of(maxNorm.doubleValue()) + (normType == 2 ? "" : ", norm_type=" + Repr.of(normType)))
                + (scaleGradByFreq ? ", scale_grad_by_freq=" + Repr.of(true) : "");
    }
}
