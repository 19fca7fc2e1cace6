package dev.jasg.nn;

import dev.jasg.core.Init;

import java.util.Arrays;
import java.util.Locale;

/**
 * Parameter initialisers with {@code torch.nn.init} semantics. Each factory returns an
 * {@link Initializer}, which turns a parameter's shape into a core {@link Init}: the fan-based
 * ones (Xavier, Kaiming) compute their bound or standard deviation from the shape and reduce to
 * {@link Init#uniform} or {@link Init#normal}. The draws themselves happen in the backend's
 * parameter store ({@link Init#sample}), seeded from the store's seed and the parameter's name,
 * so initialisation is reproducible and independent of the order parameters are met in.
 *
 * <p>Fans follow {@code torch.nn.init._calculate_fan_in_and_fan_out}: for a shape
 * {@code [out, in, k1, k2, ...]}, {@code fan_in = in * prod(k)} and {@code fan_out = out * prod(k)}.
 * PyTorch refuses 1-D shapes; here a 1-D shape {@code [n]} has {@code fan_in = fan_out = n}, so a
 * fan-based initialiser can also be given to a vector parameter. A 0-d shape has no fans and is
 * refused with an {@link IllegalArgumentException}. As in PyTorch, a shape with a zero dimension
 * holds no elements and gets {@link Init#zeros()} from the fan-based initialisers.
 *
 * <p>Formulas ({@code gain} from {@link #calculateGain(String, double)}):
 * <ul>
 *   <li>Xavier uniform: {@code U(-b, b)}, {@code b = gain * sqrt(6 / (fan_in + fan_out))}</li>
 *   <li>Xavier normal: {@code N(0, s^2)}, {@code s = gain * sqrt(2 / (fan_in + fan_out))}</li>
 *   <li>Kaiming uniform: {@code U(-b, b)}, {@code b = gain * sqrt(3 / fan)}</li>
 *   <li>Kaiming normal: {@code N(0, s^2)}, {@code s = gain / sqrt(fan)}</li>
 * </ul>
 * where {@code fan} is {@code fan_in} or {@code fan_out} as {@link FanMode} chooses.
 */
public final class Initializers {
    private Initializers() {}

    /**
     * Computes a parameter's core {@link Init} from its concrete shape; a layer calls it when it
     * creates the parameter, e.g. {@code builder.parameter("weight", shape, F32, init.forShape(dims), true)}.
     */
    @FunctionalInterface
    public interface Initializer {
        /** The initialisation of a parameter of {@code shape}. */
        Init forShape(int[] shape);
    }

    /** Which fan a Kaiming initialiser scales by, as PyTorch's {@code mode}. */
    public enum FanMode {
        /** {@code fan_in}: preserves the variance of activations in the forward pass. */
        FAN_IN,
        /** {@code fan_out}: preserves the variance of gradients in the backward pass. */
        FAN_OUT
    }

    // ---- fans and gains ----------------------------------------------------------------

    /**
     * {@code {fan_in, fan_out}} of a parameter of {@code shape}: {@code [out, in, k...]} gives
     * {@code {in * prod(k), out * prod(k)}}, a 1-D {@code [n]} gives {@code {n, n}}.
     *
     * @throws IllegalArgumentException for a 0-d shape, which has no fans
     */
    public static long[] fans(int[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("fan in and fan out cannot be computed for a 0-d (scalar) shape []");
        }
        if (shape.length == 1) return new long[] {shape[0], shape[0]};
        long receptive = 1;
        for (int i = 2; i < shape.length; i++) receptive *= shape[i];
        return new long[] {(long) shape[1] * receptive, (long) shape[0] * receptive};
    }

    /** The fan {@code mode} picks for {@code shape}; see {@link #fans(int[])}. */
    public static long fan(int[] shape, FanMode mode) {
        long[] f = fans(shape);
        return mode == FanMode.FAN_IN ? f[0] : f[1];
    }

    /**
     * {@code torch.nn.init.calculate_gain} with the default parameter (negative slope 0.01 for
     * {@code leaky_relu}).
     */
    public static double calculateGain(String nonlinearity) {
        return calculateGain(nonlinearity, 0.01);
    }

    /**
     * {@code torch.nn.init.calculate_gain}: 1 for {@code linear}, {@code conv1d/2d/3d},
     * {@code conv_transpose1d/2d/3d} and {@code sigmoid}; 5/3 for {@code tanh}; {@code sqrt 2} for
     * {@code relu}; {@code sqrt(2 / (1 + param^2))} for {@code leaky_relu} with negative slope
     * {@code param}; 3/4 for {@code selu}. {@code param} is read by {@code leaky_relu} only.
     *
     * @throws IllegalArgumentException for any other nonlinearity
     */
    public static double calculateGain(String nonlinearity, double param) {
        return switch (nonlinearity.toLowerCase(Locale.ROOT)) {
            case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid" -> 1;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> {
                if (!Double.isFinite(param)) throw new IllegalArgumentException("leaky_relu: negative slope " + param + " is not a finite number");
                yield Math.sqrt(2.0 / (1 + param * param));
            }
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("unsupported nonlinearity '" + nonlinearity
                    + "'; expected linear, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d,"
                    + " sigmoid, tanh, relu, leaky_relu or selu");
        };
    }

    // ---- plain initialisers ------------------------------------------------------------

    /** All zeros. */
    public static Initializer zeros() {
        return shape -> Init.zeros();
    }

    /** All ones. */
    public static Initializer ones() {
        return shape -> Init.ones();
    }

    /** Every element {@code value}. */
    public static Initializer constant(double value) {
        return shape -> new Init.Constant(value);
    }

    /** {@code U(a, b)}, as {@code torch.nn.init.uniform_}. */
    public static Initializer uniform(double a, double b) {
        if (!(a <= b)) throw new IllegalArgumentException("uniform: lower bound " + a + " must not exceed upper bound " + b);
        return shape -> Init.uniform(a, b);
    }

    /** {@code N(mean, std^2)}, as {@code torch.nn.init.normal_}. */
    public static Initializer normal(double mean, double std) {
        if (!(std >= 0)) throw new IllegalArgumentException("normal: std must be >= 0, got " + std);
        return shape -> Init.normal(mean, std);
    }

    /**
     * {@code torch.nn.init.orthogonal_(w, gain)}: {@code gain} times a random (Haar) orthogonal matrix,
     * the parameter flattened to {@code [shape[0], prod(shape[1:])]}; see {@link Init.Orthogonal}.
     *
     * @throws IllegalArgumentException (from {@code forShape}) for a shape of fewer than 2 axes, as PyTorch
     */
    public static Initializer orthogonal(double gain) {
        if (!Double.isFinite(gain)) throw new IllegalArgumentException("orthogonal: gain must be finite, got " + gain);
        return shape -> {
            if (shape.length < 2) throw new IllegalArgumentException("orthogonal: only tensors with 2 or more dimensions are supported, got " + java.util.Arrays.toString(shape));
            return Init.orthogonal(gain);
        };
    }

    /** {@link #orthogonal(double)} with gain 1. */
    public static Initializer orthogonal() {
        return orthogonal(1);
    }

    // ---- fan-based initialisers --------------------------------------------------------

    /** Xavier (Glorot) uniform with gain 1. */
    public static Initializer xavierUniform() {
        return xavierUniform(1);
    }

    /** Xavier (Glorot) uniform: {@code U(-b, b)}, {@code b = gain * sqrt(6 / (fan_in + fan_out))}. */
    public static Initializer xavierUniform(double gain) {
        return shape -> {
            long[] f = fans(shape);
            if (isEmpty(shape)) return Init.zeros();
            double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
            return Init.uniform(-bound, bound);
        };
    }

    /** Xavier (Glorot) normal with gain 1. */
    public static Initializer xavierNormal() {
        return xavierNormal(1);
    }

    /** Xavier (Glorot) normal: {@code N(0, s^2)}, {@code s = gain * sqrt(2 / (fan_in + fan_out))}. */
    public static Initializer xavierNormal(double gain) {
        return shape -> {
            long[] f = fans(shape);
            if (isEmpty(shape)) return Init.zeros();
            return Init.normal(0, gain * Math.sqrt(2.0 / (f[0] + f[1])));
        };
    }

    /** Kaiming uniform with PyTorch's defaults: {@code a = 0}, {@code fan_in}, {@code leaky_relu}. */
    public static Initializer kaimingUniform() {
        return kaimingUniform(0, FanMode.FAN_IN, "leaky_relu");
    }

    /**
     * Kaiming (He) uniform: {@code U(-b, b)}, {@code b = gain * sqrt(3 / fan)} with
     * {@code gain = calculateGain(nonlinearity, a)}; {@code a} is the negative slope of a
     * following {@code leaky_relu}.
     */
    public static Initializer kaimingUniform(double a, FanMode mode, String nonlinearity) {
        double gain = calculateGain(nonlinearity, a);
        return shape -> {
            long fan = fan(shape, mode);
            if (isEmpty(shape)) return Init.zeros();
            double bound = gain * Math.sqrt(3.0 / fan);
            return Init.uniform(-bound, bound);
        };
    }

    /** Kaiming normal with PyTorch's defaults: {@code a = 0}, {@code fan_in}, {@code leaky_relu}. */
    public static Initializer kaimingNormal() {
        return kaimingNormal(0, FanMode.FAN_IN, "leaky_relu");
    }

    /**
     * Kaiming (He) normal: {@code N(0, s^2)}, {@code s = gain / sqrt(fan)} with
     * {@code gain = calculateGain(nonlinearity, a)}.
     */
    public static Initializer kaimingNormal(double a, FanMode mode, String nonlinearity) {
        double gain = calculateGain(nonlinearity, a);
        return shape -> {
            long fan = fan(shape, mode);
            if (isEmpty(shape)) return Init.zeros();
            return Init.normal(0, gain / Math.sqrt(fan));
        };
    }

    // ---- torch.nn.Linear's defaults ----------------------------------------------------

    /**
     * {@code torch.nn.Linear}'s weight initialisation, {@code kaiming_uniform_(a = sqrt 5)}, which
     * works out to {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}. Conv layers use the same.
     */
    public static Initializer linearDefaultWeight() {
        return kaimingUniform(Math.sqrt(5), FanMode.FAN_IN, "leaky_relu");
    }

    /**
     * {@code torch.nn.Linear}'s bias initialisation: {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))} with
     * the weight's {@code fan_in} (the bias's own shape does not matter), or {@code U(0, 0)},
     * all zeros, when {@code fanIn} is 0, as PyTorch.
     */
    public static Initializer linearDefaultBias(long fanIn) {
        if (fanIn < 0) throw new IllegalArgumentException("linearDefaultBias: fan_in must be >= 0, got " + fanIn);
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return shape -> Init.uniform(-bound, bound);
    }

    private static boolean isEmpty(int[] shape) {
        return Arrays.stream(shape).anyMatch(d -> d == 0);
    }
}
