package dev.jasg.core;

import java.util.SplittableRandom;

/**
 * How a parameter gets its first value. Backends call {@link #sample} once, when a
 * parameter store first meets the parameter. Fan-based initialisers (Xavier, Kaiming)
 * live in asg-nn and reduce to {@link Uniform} or {@link Normal} with computed bounds.
 */
public sealed interface Init {
    /** All zeros. */
    record Zeros() implements Init {}

    /** Every element {@code value}. */
    record Constant(double value) implements Init {}

    /** Independent draws from U(low, high). */
    record Uniform(double low, double high) implements Init {}

    /** Independent draws from N(mean, std^2). */
    record Normal(double mean, double std) implements Init {}

    /** Exactly these values (the shape must match the parameter's). */
    record Values(HostTensor value) implements Init {}

    /**
     * {@code base}, then row {@code row} (along the first axis) set to zeros: PyTorch's
     * {@code Embedding(padding_idx=row)} starts that way.
     */
    record ZeroRow(Init base, int row) implements Init {
        /** Checks the row. */
        public ZeroRow {
            if (base == null) throw new IllegalArgumentException("ZeroRow needs a base initialiser");
            if (row < 0) throw new IllegalArgumentException("ZeroRow: row must be >= 0, got " + row);
        }
    }

    /**
     * {@code torch.nn.init.orthogonal_(w, gain)}: the parameter, flattened to {@code [rows, cols]} with
     * {@code rows = shape[0]}, is {@code gain * Q} where {@code Q R} is the QR factorisation of a matrix of
     * standard normal draws (transposed when {@code rows < cols}) and {@code Q}'s columns are multiplied by
     * {@code sign(diag R)}, which makes {@code Q} uniformly (Haar) distributed. So the rows
     * ({@code rows <= cols}) or the columns are orthonormal times {@code gain}. Needs rank >= 2. The QR is
     * asg-core's Householder factorisation ({@link dev.jasg.core.reference.LinalgReference#qr}, LAPACK's
     * algorithm; asg-core depends on nothing, so not EJML); after the sign correction the result does not
     * depend on the QR's sign convention. The draws come from JASG's seeded stream, not PyTorch's generator.
     */
    record Orthogonal(double gain) implements Init {}

    /** {@code torch.nn.init.orthogonal_} with {@code gain}, see {@link Orthogonal}. */
    static Init orthogonal(double gain) {
        return new Orthogonal(gain);
    }

    /** All zeros. */
    static Init zeros() {
        return new Zeros();
    }

    /** All ones. */
    static Init ones() {
        return new Constant(1);
    }

    /** U(low, high). */
    static Init uniform(double low, double high) {
        return new Uniform(low, high);
    }

    /** N(mean, std^2). */
    static Init normal(double mean, double std) {
        return new Normal(mean, std);
    }

    /**
     * Draws the values for a tensor of {@code shape}. The stream is seeded from the store's
     * seed and the parameter's name, so a parameter's first value does not depend on the
     * order in which parameters are met.
     */
    default double[] sample(Shape shape, long seed, String name) {
        int n = shape.sizeInt();
        double[] out = new double[n];
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        switch (this) {
            case Zeros z -> { }
            case Constant c -> java.util.Arrays.fill(out, c.value());
            case Uniform u -> { for (int i = 0; i < n; i++) out[i] = u.low() + (u.high() - u.low()) * r.nextDouble(); }
            case Normal g -> {
                for (int i = 0; i < n; i += 2) {
                    // Box-Muller: two independent normals from two uniforms.
                    double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
                    double rad = Math.sqrt(-2 * Math.log(u1));
                    out[i] = g.mean() + g.std() * rad * Math.cos(2 * Math.PI * u2);
                    if (i + 1 < n) out[i + 1] = g.mean() + g.std() * rad * Math.sin(2 * Math.PI * u2);
                }
            }
            case ZeroRow z -> {
                out = z.base().sample(shape, seed, name);
                if (shape.rank() == 0 || z.row() >= shape.dim(0)) {
                    throw new ShapeException("parameter '" + name + "' of shape " + shape + " has no row " + z.row() + " to zero");
                }
                int len = n / shape.dim(0);
                java.util.Arrays.fill(out, z.row() * len, (z.row() + 1) * len, 0);
            }
            case Orthogonal o -> {
                if (shape.rank() < 2) throw new ShapeException("orthogonal init of parameter '" + name + "': needs at least 2 axes, got " + shape);
                int rows = shape.dim(0), cols = rows == 0 ? 0 : n / rows;
                if (n == 0) break;
                boolean flip = rows < cols;
                int m = flip ? cols : rows, k = flip ? rows : cols;
                double[] a = new Normal(0, 1).sample(Shape.of(m, k), seed, name);
                double[][] qr = dev.jasg.core.reference.LinalgReference.qr(a, m, k);
                double[] q = qr[0], rr = qr[1];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < k; j++) {
                        double d = Math.signum(rr[j * k + j]);
                        double v = o.gain() * q[i * k + j] * (d == 0 ? 1 : d);
                        if (flip) out[j * m + i] = v;
                        else out[i * k + j] = v;
                    }
                }
            }
            case Values v -> {
                if (!v.value().shape().equals(shape)) {
                    throw new ShapeException("parameter '" + name + "' has shape " + shape + " but its initial value is " + v.value().shape());
                }
                out = v.value().toDoubles();
            }
        }
        return out;
    }
}
