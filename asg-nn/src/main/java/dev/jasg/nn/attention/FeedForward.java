package dev.jasg.nn.attention;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Repr;

import java.util.Locale;

/**
 * The position-wise feed-forward network of a transformer block, as in
 * {@code torch.nn.TransformerEncoderLayer}:
 *
 * <pre>  FFN(x) = linear2(dropout(act(linear1(x))))</pre>
 *
 * with {@code linear1: embed -> hidden}, {@code linear2: hidden -> embed} and {@code act} one of
 * {@code relu} (PyTorch's default), {@code gelu} (exact) or {@code silu}. The dropout (a child
 * {@code dropout} when {@code p > 0}) acts in training mode only. Input and output
 * {@code [..., embed]}.
 */
public final class FeedForward extends Layer {
    private final int embedDim;
    private final int hidden;
    private final String activation;
    private final Linear linear1;
    private final Linear linear2;
    private final Dropout dropout;

    /** ReLU and no dropout. */
    public FeedForward(int embedDim, int hidden) {
        this(embedDim, hidden, "relu", 0);
    }

    /** {@code activation} is {@code relu}, {@code gelu} or {@code silu}; dropout {@code p} after it. */
    public FeedForward(int embedDim, int hidden, String activation, double dropout) {
        this(embedDim, hidden, activation, dropout, true);
    }

    /** As above, with biases in both linear layers when {@code bias}. */
    public FeedForward(int embedDim, int hidden, String activation, double dropout, boolean bias) {
        this.activation = checkActivation(activation);
        if (embedDim <= 0 || hidden <= 0) throw new IllegalArgumentException("FeedForward: sizes must be positive, got " + embedDim + ", " + hidden);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("FeedForward: dropout must be in [0, 1), got " + dropout);
        this.embedDim = embedDim;
        this.hidden = hidden;
        this.linear1 = register("linear1", new Linear(embedDim, hidden, bias));
        this.dropout = dropout > 0 ? register("dropout", new Dropout(dropout)) : null;
        this.linear2 = register("linear2", new Linear(hidden, embedDim, bias));
    }

    /** The input and output size. */
    public int embedDim() {
        return embedDim;
    }

    /** The hidden size. */
    public int hidden() {
        return hidden;
    }

    /** A new feed-forward network with these settings and {@code hidden} hidden units, with fresh parameters (the Model Lab's layer editor). */
    public FeedForward withHidden(int hidden) {
        return new FeedForward(embedDim, hidden, activation, dropout == null ? 0 : dropout.p(), linear1.hasBias());
    }

    /** The activation name, lower case, checked. */
    static String checkActivation(String activation) {
        String a = activation.toLowerCase(Locale.ROOT);
        if (!a.equals("relu") && !a.equals("gelu") && !a.equals("silu")) {
            throw new IllegalArgumentException("activation must be relu, gelu or silu, got \"" + activation + "\"");
        }
        return a;
    }

    static Tensor activate(String activation, Tensor x) {
        return switch (activation) {
            case "relu" -> x.relu();
            case "gelu" -> x.gelu();
            default -> x.silu();
        };
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = activate(activation, linear1.apply(x));
        if (dropout != null) h = dropout.apply(h);
        return linear2.apply(h);
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", hidden=" + hidden + ", activation=" + Repr.of(activation);
    }
}
