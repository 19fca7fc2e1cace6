package dev.jasg.nn.attention;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;

/**
 * The fixed sinusoidal position encoding of "Attention Is All You Need", added to its input:
 *
 * <pre>  PE[p, 2i] = sin(p / 10000^(2i/d)),  PE[p, 2i+1] = cos(p / 10000^(2i/d))</pre>
 *
 * {@code forward(x [..., L, d]) = x + PE[offset : offset + L]} for any {@code L} with
 * {@code offset + L <= max_len}. The table is computed once on the host; each graph gets the
 * rows it needs as a constant (no parameters, nothing to train or save).
 */
public final class SinusoidalPositionalEncoding extends Layer {
    private final int maxLen;
    private final int dModel;
    private final double[] table;

    /** Positions below {@code maxLen}, {@code dModel} features. */
    public SinusoidalPositionalEncoding(int maxLen, int dModel) {
        if (maxLen <= 0 || dModel <= 0) throw new IllegalArgumentException("SinusoidalPositionalEncoding: sizes must be positive, got " + maxLen + ", " + dModel);
        this.maxLen = maxLen;
        this.dModel = dModel;
        this.table = new double[maxLen * dModel];
        for (int p = 0; p < maxLen; p++) {
            for (int i = 0; 2 * i < dModel; i++) {
                double angle = p / Math.pow(10000, 2.0 * i / dModel);
                table[p * dModel + 2 * i] = Math.sin(angle);
                if (2 * i + 1 < dModel) table[p * dModel + 2 * i + 1] = Math.cos(angle);
            }
        }
    }

    /** Row {@code p} of the table: the encoding of position {@code p}. */
    public double[] row(int p) {
        if (p < 0 || p >= maxLen) throw new IndexOutOfBoundsException("position " + p + " outside [0, " + maxLen + ")");
        double[] r = new double[dModel];
        System.arraycopy(table, p * dModel, r, 0, dModel);
        return r;
    }

    /** The constant {@code PE[offset : offset + length]} of {@code dtype}, shape {@code [length, d]}. */
    public Tensor encoding(GraphBuilder b, int length, int offset, DType dtype) {
        if (offset < 0 || length <= 0 || offset + length > maxLen) {
            throw new ShapeException("SinusoidalPositionalEncoding: positions " + offset + ".." + (offset + length - 1) + " exceed max_len " + maxLen);
        }
        double[] rows = new double[length * dModel];
        System.arraycopy(table, offset * dModel, rows, 0, rows.length);
        return b.constant(HostTensor.fromDoubles(dtype, Shape.of(length, dModel), rows));
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /** {@link #forward(Tensor, int)} in this module's scope: positions start at {@code offset} (continuing a sequence). */
    public Tensor apply(Tensor x, int offset) {
        return inScope(x.builder(), () -> forward(x, offset));
    }

    /** {@code x + PE[offset : offset + L]} for {@code x [..., L, d]}. */
    public Tensor forward(Tensor x, int offset) {
        Shape s = x.shape();
        int r = s.rank();
        if (r < 2 || s.isSymbolic(r - 2) || s.isSymbolic(r - 1) || s.dim(r - 1) != dModel) {
            throw new ShapeException("SinusoidalPositionalEncoding: input must be [..., seq, " + dModel + "] with concrete seq, got " + s + " at node " + x.id());
        }
        return x.add(encoding(x.builder(), s.dim(r - 2), offset, x.dtype()));
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
