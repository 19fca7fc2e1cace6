package dev.jasg.nn;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * {@code torch.nn.Dropout}: in training mode each element is zeroed with probability
 * {@code p} and the kept ones are scaled by {@code 1/(1-p)}, {@code y = x * mask}; in eval
 * mode it is the identity.
 *
 * <p>The mask is an {@link Op.DropoutMask} node drawn from a non-trainable I32 scalar
 * parameter {@code seed} (initialised from the parameter store's seed) and a salt hashed from
 * the parameter's full name, so two dropout layers draw different masks. The training graph
 * assigns {@code seed + 1} (modulo {@code 2^24}, where I32 values stored as floats stay
 * exact) to the seed, so every step draws a new mask; the gradient graph reads the same mask
 * node as the forward pass, so backward uses the forward's mask. A layer applied twice on one
 * graph salts its second application differently and advances the seed once.
 */
public final class Dropout extends Layer {
    private static final int SEED_PERIOD = 1 << 24;

    private final double p;
    // Applications per builder, so a second application on one graph gets its own mask.
    private final Map<GraphBuilder, Integer> applications = new WeakHashMap<>();

    /** PyTorch's default, p = 0.5. */
    public Dropout() {
        this(0.5);
    }

    /** Drops each element with probability {@code p} in [0, 1]. */
    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        this.p = p;
        registerParameter("seed", Shape.scalar(), DType.I32, Init.uniform(0, 1 << 20), false);
        markNonPersistent("seed");  // PyTorch's Dropout has no state: a checkpoint never holds it
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) return x;
        GraphBuilder b = x.builder();
        Tensor seed = parameter(x, "seed");
        int k = applications.merge(b, 1, Integer::sum) - 1;
        long salt = fnv1a64(((Op.Parameter) seed.node().op()).name()) + k;
        if (k == 0) {
            Tensor next = seed.add(1);
            b.assign(seed, next.ge(SEED_PERIOD).where(next.scalarLike(0), next));
        }
        return x.dropout(p, salt, seed);
    }

    /** 64-bit FNV-1a of the string's UTF-16 units: a stable salt (String.hashCode has only 32 bits). */
    static long fnv1a64(String s) {
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001B3L;
        }
        return h;
    }

    @Override
    protected String extraRepr() {
        return "p=" + Repr.of(p) + ", inplace=" + Repr.of(false);
    }
}
