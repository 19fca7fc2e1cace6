package dev.jasg.nn.attention;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * Rotary position embedding (RoPE, Su et al. 2021) in the split-half form of GPT-NeoX and
 * Hugging Face LLaMA ({@code rotate_half}): for a head vector {@code x} of {@code dim} features at
 * position {@code p}, with {@code h = dim/2}, {@code theta_i = base^(-2i/dim)} for {@code i < h},
 *
 * <pre>  cos = [cos(p theta), cos(p theta)],  sin = [sin(p theta), sin(p theta)]
 *  rotate_half(x) = [-x[h:], x[:h]]
 *  RoPE(x, p) = x * cos + rotate_half(x) * sin</pre>
 *
 * so features {@code i} and {@code i + h} turn as a pair by angle {@code p theta_i}; the dot
 * product of a rotated query and key depends on their positions only through the difference.
 * When the head has more features than {@code dim}, the rest pass unchanged (GPT-NeoX's partial
 * rotary). The tables are constants for the concrete sequence length; positions start at an
 * {@code offset} so a sequence can be continued (the key-value cache case). No parameters.
 */
public final class RotaryEmbedding {
    private final int dim;
    private final int maxLen;
    private final double base;

    /** RoPE over {@code dim} features (even), positions below {@code maxLen}, base 10000. */
    public RotaryEmbedding(int dim, int maxLen) {
        this(dim, maxLen, 10000);
    }

    /** RoPE over {@code dim} features (even), positions below {@code maxLen}, frequency base {@code base}. */
    public RotaryEmbedding(int dim, int maxLen, double base) {
        if (dim <= 0 || dim % 2 != 0) throw new IllegalArgumentException("RotaryEmbedding: dim must be positive and even, got " + dim);
        if (maxLen <= 0) throw new IllegalArgumentException("RotaryEmbedding: max_len must be positive, got " + maxLen);
        if (!(base > 1)) throw new IllegalArgumentException("RotaryEmbedding: base must exceed 1, got " + base);
        this.dim = dim;
        this.maxLen = maxLen;
        this.base = base;
    }

    /** Rotated features per head. */
    public int dim() {
        return dim;
    }

    /** Largest sequence length (offset included) supported. */
    public int maxLen() {
        return maxLen;
    }

    /** The inverse frequencies {@code theta_i = base^(-2i/dim)}, {@code i < dim/2}. */
    public double[] inverseFrequencies() {
        double[] f = new double[dim / 2];
        for (int i = 0; i < f.length; i++) f[i] = Math.pow(base, -2.0 * i / dim);
        return f;
    }

    /** {@code cos} ({@code sin == false}) or {@code sin} table {@code [length, dim]} for positions {@code offset ..}. */
    public double[] table(int length, int offset, boolean sin) {
        checkRange(length, offset, null);
        double[] inv = inverseFrequencies();
        int h = dim / 2;
        double[] t = new double[length * dim];
        for (int p = 0; p < length; p++) {
            for (int i = 0; i < h; i++) {
                double a = (p + offset) * inv[i];
                double v = sin ? Math.sin(a) : Math.cos(a);
                t[p * dim + i] = v;
                t[p * dim + h + i] = v;
            }
        }
        return t;
    }

    private void checkRange(int length, int offset, Tensor x) {
        if (offset < 0) throw new IllegalArgumentException("RotaryEmbedding: offset must be >= 0, got " + offset);
        if (length + offset > maxLen) {
            throw new ShapeException("RotaryEmbedding: positions " + offset + ".." + (offset + length - 1) + " exceed max_len " + maxLen
                    + (x == null ? "" : " for " + x.shape() + " at node " + x.id()));
        }
    }

    /** {@link #rotate(Tensor, int)} from position 0. */
    public Tensor rotate(Tensor x) {
        return rotate(x, 0);
    }

    /**
     * RoPE of {@code x [..., L, D]} (D >= dim, L concrete), the element at sequence index
     * {@code t} taken at position {@code offset + t}.
     */
    public Tensor rotate(Tensor x, int offset) {
        Shape s = x.shape();
        int r = s.rank();
        if (r < 2 || s.isSymbolic(r - 2) || s.isSymbolic(r - 1) || s.dim(r - 1) < dim) {
            throw new ShapeException("RotaryEmbedding: input must be [..., seq, >= " + dim + "] with concrete seq, got " + s + " at node " + x.id());
        }
        if (!x.dtype().isFloat()) throw new ShapeException("RotaryEmbedding: input must be float, got " + x.dtype().label() + s + " at node " + x.id());
        int len = s.dim(r - 2);
        checkRange(len, offset, x);
        Tensor rot = x.shape().dim(r - 1) == dim ? x : x.slice(-1, 0, dim);
        Tensor cos = x.builder().constant(HostTensor.fromDoubles(x.dtype(), Shape.of(len, dim), table(len, offset, false)));
        Tensor sin = x.builder().constant(HostTensor.fromDoubles(x.dtype(), Shape.of(len, dim), table(len, offset, true)));
        int h = dim / 2;
        Tensor half = Tensor.concat(-1, rot.slice(-1, h, dim).neg(), rot.slice(-1, 0, h));
        Tensor out = rot.mul(cos).add(half.mul(sin));
        return rot == x ? out : Tensor.concat(-1, out, x.slice(-1, dim, s.dim(r - 1)));
    }

    @Override
    public String toString() {
        return "RotaryEmbedding(dim=" + dim + ", max_len=" + maxLen + ", base=" + Repr.of(base) + ")";
    }
}
