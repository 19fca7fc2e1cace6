package dev.jasg.nn;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.Arrays;

/**
 * {@code torch.nn.LocalResponseNorm} over an {@code [N, C, *]} input: each element divided by
 * the activity of its neighbouring channels,
 * {@code y_c = x_c / (k + alpha / size * sum_{c' = c - size/2}^{c + (size-1)/2} x_{c'}^2)^beta}
 * (channels outside {@code [0, C)} count as zero, and the sum is divided by {@code size} even at
 * the edges, as PyTorch). Defaults as PyTorch: {@code alpha=1e-4, beta=0.75, k=1}.
 *
 * <p>The channel window sum is a convolution with a {@code size x 1} kernel of ones over
 * {@code [N, 1, C, S]}.
 */
public final class LocalResponseNorm extends Layer {
    private final int size;
    private final double alpha, beta, k;

    /** {@code alpha=1e-4, beta=0.75, k=1}. */
    public LocalResponseNorm(int size) {
        this(size, 1e-4, 0.75, 1);
    }

    /** Every option. */
    public LocalResponseNorm(int size, double alpha, double beta, double k) {
        if (size < 1) throw new IllegalArgumentException("LocalResponseNorm: size must be >= 1, got " + size);
        this.size = size;
        this.alpha = alpha;
        this.beta = beta;
        this.k = k;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 3) throw new IllegalArgumentException("LocalResponseNorm: expected an input of rank >= 3 [N, C, *], got " + x.shape() + " at node " + x.id());
        for (int i = 1; i < x.rank(); i++) {
            if (x.shape().isSymbolic(i)) throw new IllegalArgumentException("LocalResponseNorm: axis " + i + " of " + x.shape() + " must be concrete at node " + x.id());
        }
        Object n = x.shape().parts().get(0);
        int c = x.shape().dim(1), s = (int) x.shape().sub(2, x.rank()).size();
        float[] ones = new float[size];
        Arrays.fill(ones, 1f);
        Tensor kernel = x.builder().constant(HostTensor.of(ones, 1, 1, size, 1)).cast(x.dtype());
        Tensor sq = x.square().reshape(Shape.symbolic(n, 1, c, s));
        Tensor sum = sq.conv2d(kernel, new ConvGeometry(1, 1, size / 2, (size - 1) / 2, 0, 0, 1, 1, 1)).reshape(x.shape());
        Tensor div = sum.mul(alpha / size).add(k).pow(beta);
        return x.div(div);
    }

    @Override
    protected String extraRepr() {
        return size + ", alpha=" + Repr.of(alpha) + ", beta=" + Repr.of(beta) + ", k=" + Repr.of(k);
    }
}
