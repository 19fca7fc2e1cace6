package dev.jasg.testkit;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.UnaryOp;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Relative accuracy of the functions that are "accurate near 0" ({@code log1p}, {@code expm1},
 * {@code tanh}, and {@code log} near 1) where a naive formula loses every digit: each result must
 * be within {@link #RELATIVE} of the double-precision value, relative to the result itself (not to
 * the tensor's scale, which would hide the loss). Adam's bias correction and every log-likelihood
 * near probability 1 depend on these.
 */
public final class SmallArguments {
    /** Allowed relative error: a few float ulps. */
    public static final double RELATIVE = 2e-6;

    /** Arguments from 1e-7 up to where the plain formula is accurate again, both signs. */
    static final double[] NEAR_ZERO = {1e-7, -1e-7, 3e-6, -3e-6, 1e-5, -1e-5, 3e-4, -3e-4, 1e-3, -1e-3, 0.01, -0.01, 0.07, -0.07,
            0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.45, -0.45, 0.5, -0.5, 0.6, -0.6, 0.9, -0.9, 0.99, 1.5, 2.5, 7.0};

    /** Arguments a few periods out, away from the zeros of sin and cos (GPUs' built-ins lose digits there too). */
    static final double[] WIDER = {0.5, -0.7, 1.2, 2.0, -2.9, 4.0, 10.0, -20.0, 33.0, 100.0, -1000.0, 12345.0};

    private SmallArguments() {}

    /** One function under test: its name, its graph and its exact value. */
    public record Row(String name, UnaryOperator<Tensor> body, UnaryOperator<Double> exact, double[] args) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The rows. */
    public static List<Row> all() {
        double[] nearOne = new double[NEAR_ZERO.length];
        for (int i = 0; i < nearOne.length; i++) nearOne[i] = 1 + NEAR_ZERO[i] * 0.5;
        double[] inUnit = java.util.Arrays.stream(NEAR_ZERO).filter(v -> Math.abs(v) < 1).toArray();
        // 1 ∓ small, as floats: acos and acosh are steep there, so the argument is rounded before the exact value is taken
        double[] nearOneBelow = java.util.Arrays.stream(NEAR_ZERO).filter(v -> v > 0 && v < 1).map(v -> (float) (1 - v * 0.5)).toArray();
        double[] nearOneAbove = java.util.Arrays.stream(NEAR_ZERO).filter(v -> v > 0).map(v -> (float) (1 + v)).toArray();
        return List.of(
                new Row(UnaryOp.LOG1P.label(), Tensor::log1p, Math::log1p, NEAR_ZERO),
                new Row(UnaryOp.EXPM1.label(), Tensor::expm1, Math::expm1, NEAR_ZERO),
                new Row(UnaryOp.TANH.label(), Tensor::tanh, Math::tanh, NEAR_ZERO),
                new Row(UnaryOp.LOG.label() + " near 1", Tensor::log, Math::log, nearOne),
                // issue 14's composites that must keep single precision near 0 (and asin/atanh inside (-1, 1))
                new Row("sinh", Tensor::sinh, Math::sinh, NEAR_ZERO),
                new Row("tan", Tensor::tan, Math::tan, NEAR_ZERO),
                new Row(UnaryOp.SIN.label(), Tensor::sin, Math::sin, NEAR_ZERO),
                new Row(UnaryOp.SIN.label() + " of larger arguments", Tensor::sin, Math::sin, WIDER),
                new Row(UnaryOp.COS.label() + " of larger arguments", Tensor::cos, Math::cos, WIDER),
                new Row("atan", Tensor::atan, Math::atan, NEAR_ZERO),
                new Row("asin", Tensor::asin, Math::asin, inUnit),
                new Row("asinh", Tensor::asinh, SmallArguments::asinh, NEAR_ZERO),
                new Row("atanh", Tensor::atanh, v -> 0.5 * Math.log1p(2 * v / (1 - v)), inUnit),
                new Row("acos near 1", Tensor::acos, Math::acos, nearOneBelow),
                new Row("acosh near 1", Tensor::acosh, v -> Math.log1p(v - 1 + Math.sqrt((v - 1) * (v + 1))), nearOneAbove));
    }

    /** asinh in double, accurate near 0: log1p(|x| + x^2 / (1 + sqrt(1 + x^2))) with x's sign. */
    private static Double asinh(Double v) {
        double a = Math.abs(v);
        return Math.copySign(Math.log1p(a + a * a / (1 + Math.sqrt(1 + a * a))), v);
    }

    /** Runs {@code row} on {@code backend} and checks every element's relative error. */
    public static void check(Backend backend, Row row) {
        double[] x = new double[row.args().length];
        for (int i = 0; i < x.length; i++) x[i] = (float) row.args()[i];
        GraphBuilder g = new GraphBuilder();
        g.output("y", row.body().apply(g.input("x", DType.F32, x.length)));
        try (Executable e = backend.compile(g.build())) {
            HostTensor y = e.run(Map.of("x", HostTensor.fromDoubles(DType.F32, Shape.of(x.length), x))).get("y");
            StringBuilder bad = new StringBuilder();
            for (int i = 0; i < x.length; i++) {
                double want = row.exact().apply(x[i]), got = y.get(i);
                double rel = want == 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
                if (!(rel <= RELATIVE)) bad.append(String.format("%n  %s(%.9g) = %.9g, exact %.9g, relative error %.2g", row.name(), x[i], got, want, rel));
            }
            if (!bad.isEmpty()) throw new AssertionError(row.name() + " on " + backend.name() + " is not accurate to " + RELATIVE + " relative:" + bad);
        }
    }
}
