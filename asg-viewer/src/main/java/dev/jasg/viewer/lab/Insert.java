package dev.jasg.viewer.lab;

import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.nn.BatchNorm1d;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.Identity;
import dev.jasg.nn.Layer;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Linear;

import java.util.Objects;

/**
 * What {@link GraphEdit#insertBetween} puts on an edge: the Model Lab's palette. Each entry makes a
 * fresh {@link Layer} for the tensor that flows on the edge (its features are the tensor's last
 * dimension, or dimension 1 for BatchNorm), with PyTorch's defaults, so its parameters get that
 * layer's default initialiser.
 */
public sealed interface Insert {
    /** The layer's PyTorch class name with its arguments, e.g. {@code Dropout(p=0.3)}. */
    String title();

    /** A short name, valid as a scope name: {@code Dropout}, {@code Linear} ... */
    String kind();

    /**
     * A new layer for a tensor of {@code shape} on the edge.
     *
     * @throws IllegalArgumentException when the shape cannot carry it (a scalar, a symbolic feature dimension)
     */
    Layer create(Shape shape);

    /** {@code torch.nn.Dropout(p)}. */
    static Insert dropout(double p) {
        return new DropoutInsert(p);
    }

    /** {@code torch.nn.BatchNorm1d(C)} over dimension 1 of a (N, C) or (N, C, L) tensor. */
    static Insert batchNorm() {
        return new BatchNormInsert();
    }

    /** {@code torch.nn.LayerNorm(last dimension)}. */
    static Insert layerNorm() {
        return new LayerNormInsert();
    }

    /** Any of the lab's {@linkplain Activation activations}. */
    static Insert activation(Activation a) {
        return new ActivationInsert(a);
    }

    /** {@code ReLU}. */
    static Insert relu() {
        return activation(Activation.RELU);
    }

    /** {@code GELU}. */
    static Insert gelu() {
        return activation(Activation.GELU);
    }

    /** {@code torch.nn.Linear(n, n)} for a tensor whose last dimension is {@code n}: keeps the shape. */
    static Insert linear() {
        return new LinearInsert(-1);
    }

    /**
     * {@code torch.nn.Linear(n, outFeatures)}: changes the last dimension unless it is {@code n}; the
     * edit's preview says whether the consumer still fits.
     */
    static Insert linear(int outFeatures) {
        if (outFeatures < 1) throw new IllegalArgumentException("Insert.linear: outFeatures must be >= 1, got " + outFeatures);
        return new LinearInsert(outFeatures);
    }

    /** {@code torch.nn.Identity}: no node; a placeholder. */
    static Insert identity() {
        return new IdentityInsert();
    }

    /** A residual connection around {@code body}: {@code y = x + body(x)}; {@code body} must keep the shape. */
    static Insert residual(Insert body) {
        return new ResidualInsert(Objects.requireNonNull(body, "body"));
    }

    private static int features(Shape shape, int axis, String who) {
        if (shape.rank() <= axis) throw new IllegalArgumentException(who + ": needs a tensor of rank > " + axis + ", the edge carries " + shape);
        if (shape.isSymbolic(axis)) throw new IllegalArgumentException(who + ": dimension " + axis + " of " + shape + " must be concrete");
        return shape.dim(axis);
    }

    /** See {@link #dropout(double)}. */
    record DropoutInsert(double p) implements Insert {
        /** Checks {@code p}. */
        public DropoutInsert {
            if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("Insert.dropout: p must be in [0, 1], got " + p);
        }

        @Override
        public String title() {
            return "Dropout(p=" + p + ")";
        }

        @Override
        public String kind() {
            return "Dropout";
        }

        @Override
        public Layer create(Shape shape) {
            return new Dropout(p);
        }
    }

    /** See {@link #batchNorm()}. */
    record BatchNormInsert() implements Insert {
        @Override
        public String title() {
            return "BatchNorm1d";
        }

        @Override
        public String kind() {
            return "BatchNorm1d";
        }

        @Override
        public Layer create(Shape shape) {
            return new BatchNorm1d(features(shape, 1, "BatchNorm1d"));
        }
    }

    /** See {@link #layerNorm()}. */
    record LayerNormInsert() implements Insert {
        @Override
        public String title() {
            return "LayerNorm";
        }

        @Override
        public String kind() {
            return "LayerNorm";
        }

        @Override
        public Layer create(Shape shape) {
            return new LayerNorm(features(shape, shape.rank() - 1, "LayerNorm"));
        }
    }

    /** See {@link #activation(Activation)}. */
    record ActivationInsert(Activation activation) implements Insert {
        /** Checks the argument. */
        public ActivationInsert {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public String title() {
            return activation.title();
        }

        @Override
        public String kind() {
            return activation.title();
        }

        @Override
        public Layer create(Shape shape) {
            Activation a = activation;
            return new Layer() {
                @Override
                public Tensor forward(Tensor x) {
                    return x.builder().apply(a.op(), x);
                }
            };
        }
    }

    /** See {@link #linear(int)}; {@code outFeatures} -1 keeps the input's features. */
    record LinearInsert(int outFeatures) implements Insert {
        @Override
        public String title() {
            return outFeatures < 0 ? "Linear(n, n)" : "Linear(n, " + outFeatures + ")";
        }

        @Override
        public String kind() {
            return "Linear";
        }

        @Override
        public Layer create(Shape shape) {
            int n = features(shape, shape.rank() - 1, "Linear");
            return new Linear(n, outFeatures < 0 ? n : outFeatures);
        }
    }

    /** See {@link #identity()}. */
    record IdentityInsert() implements Insert {
        @Override
        public String title() {
            return "Identity";
        }

        @Override
        public String kind() {
            return "Identity";
        }

        @Override
        public Layer create(Shape shape) {
            return new Identity();
        }
    }

    /** See {@link #residual(Insert)}. */
    record ResidualInsert(Insert body) implements Insert {
        @Override
        public String title() {
            return "Residual(" + body.title() + ")";
        }

        @Override
        public String kind() {
            return "Residual";
        }

        @Override
        public Layer create(Shape shape) {
            return new Residual(body.create(shape));
        }
    }

    /** {@code x + body(x)}. */
    final class Residual extends Layer {
        private final Layer body;

        Residual(Layer body) {
            this.body = register("body", body);
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.add(body.apply(x));
        }
    }
}
