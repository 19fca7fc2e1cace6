package dev.jasg.testkit;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One row of the op table: how to build the op from fed arguments, the arguments' shapes
 * and safe input domains, and the shape the result must have.
 *
 * @param name      unique row name, e.g. {@code "matmul batched broadcast"}
 * @param args      the fed arguments
 * @param body      builds the op under test from the argument tensors
 * @param expected  the output shape shape inference must give (symbols allowed)
 * @param tolerance multiplier of the default backend tolerance (1 for most rows)
 * @param noGradientCheck null, or why central differences cannot check this row (e.g. ties,
 *                  where the function has no derivative; backends are still compared on its
 *                  gradient graph)
 */
public record OpCase(String name, List<Arg> args, Body body, Shape expected, double tolerance, String noGradientCheck) {

    /** Builds the op under test. */
    @FunctionalInterface
    public interface Body {
        /** Returns the result of the op applied to {@code args}; may add parameters through {@code g}. */
        Tensor build(GraphBuilder g, List<Tensor> args);
    }

    /**
     * A fed argument: its declared shape (may be symbolic), the concrete shape it is fed
     * with, its dtype, the domain its values are drawn from, and whether the gradient
     * check differentiates with respect to it (not for a float used only as a condition).
     */
    public record Arg(String name, Shape declared, int[] fed, DType dtype, Domain domain, boolean differentiable) {
        /** Draws this argument's values, deterministic for a given random stream. */
        public HostTensor sample(SplittableRandom r) {
            Shape s = Shape.of(fed);
            double[] v = new double[s.sizeInt()];
            for (int i = 0; i < v.length; i++) v[i] = domain.draw(r);
            // Values are rounded to the dtype first, so every backend sees exactly the same numbers.
            return HostTensor.fromDoubles(dtype == DType.F32 ? DType.F64 : dtype, s, roundF32(v, dtype));
        }

        private static double[] roundF32(double[] v, DType t) {
            double[] out = v.clone();
            for (int i = 0; i < out.length; i++) out[i] = t == DType.F32 ? (float) out[i] : t.round(out[i]);
            return out;
        }
    }

    /** Where an argument's values come from, chosen to keep away from kinks and poles. */
    public sealed interface Domain {
        /** One value. */
        double draw(SplittableRandom r);

        /** Uniform in [lo, hi). */
        record Uniform(double lo, double hi) implements Domain {
            @Override
            public double draw(SplittableRandom r) {
                return lo + (hi - lo) * r.nextDouble();
            }
        }

        /** Magnitude uniform in [lo, hi), random sign: stays away from 0 (kinks of relu, abs...). */
        record Signed(double lo, double hi) implements Domain {
            @Override
            public double draw(SplittableRandom r) {
                double m = lo + (hi - lo) * r.nextDouble();
                return r.nextBoolean() ? m : -m;
            }
        }

        /** Integers in [lo, hi]. */
        record Integers(int lo, int hi) implements Domain {
            @Override
            public double draw(SplittableRandom r) {
                return lo + r.nextInt(hi - lo + 1);
            }
        }

        /** Values from a short list, e.g. to force ties. */
        record Choice(double... values) implements Domain {
            @Override
            public double draw(SplittableRandom r) {
                return values[r.nextInt(values.length)];
            }
        }
    }

    /** Starts a row with the given name. */
    public static Builder row(String name) {
        return new Builder(name);
    }

    /** Fluent construction of a row. */
    public static final class Builder {
        private final String name;
        private final List<Arg> args = new ArrayList<>();
        private double tolerance = 1;
        private String noGradientCheck;

        private Builder(String name) {
            this.name = name;
        }

        /** An F32 argument of concrete shape with values in [-1, 1). */
        public Builder arg(int... dims) {
            return arg(new Domain.Uniform(-1, 1), dims);
        }

        /** An F32 argument of concrete shape from {@code domain}. */
        public Builder arg(Domain domain, int... dims) {
            args.add(new Arg("x" + args.size(), Shape.of(dims), dims, DType.F32, domain, true));
            return this;
        }

        /** An F32 argument that only feeds a condition (a comparison), so it has no gradient. */
        public Builder condition(Domain domain, int... dims) {
            args.add(new Arg("x" + args.size(), Shape.of(dims), dims, DType.F32, domain, false));
            return this;
        }

        /** An F32 argument declared with symbolic dims ({@code declared}) and fed with {@code fed}. */
        public Builder symbolic(Shape declared, Domain domain, int... fed) {
            args.add(new Arg("x" + args.size(), declared, fed, DType.F32, domain, true));
            return this;
        }

        /** An argument of another dtype. */
        public Builder typed(DType dtype, Domain domain, int... dims) {
            args.add(new Arg("x" + args.size(), Shape.of(dims), dims, dtype, domain, dtype.isFloat()));
            return this;
        }

        /** Loosens (or tightens) the backend tolerance of this row. */
        public Builder tolerance(double factor) {
            this.tolerance = factor;
            return this;
        }

        /** Skips the central-difference check, for the reason given (the row must still say why). */
        public Builder noGradientCheck(String why) {
            this.noGradientCheck = why;
            return this;
        }

        /** Finishes the row with its body and expected output shape. */
        public OpCase expect(Shape expected, Body body) {
            return new OpCase(name, List.copyOf(args), body, expected, tolerance, noGradientCheck);
        }

        /** Finishes the row with its body and a concrete expected output shape. */
        public OpCase expect(int[] expected, Body body) {
            return expect(Shape.of(expected), body);
        }
    }
}
