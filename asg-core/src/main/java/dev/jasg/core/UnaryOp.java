package dev.jasg.core;

/**
 * Elementwise functions of one tensor. Each constant carries its scalar semantics once,
 * in {@link #apply}, which the reference interpreter, constant folding and tests use.
 * Two ops take parameters, {@code a} and {@code b}, stored in {@link Op.Unary}.
 */
public enum UnaryOp {
    /** {@code -x} */
    NEG("neg"),
    /** {@code |x|} */
    ABS("abs"),
    /**
     * {@code sign(x)} in {-1, 0, 1}; gradient zero. NaN for NaN, as NumPy and Java give it: PyTorch 1.13 gives 0,
     * which would turn a NaN into a number, and JASG lets NaN propagate through every op.
     */
    SIGN("sign"),
    /** {@code e^x} */
    EXP("exp"),
    /** {@code e^x - 1}, accurate near 0. */
    EXPM1("expm1"),
    /** {@code ln x} */
    LOG("log"),
    /** {@code ln(1 + x)}, accurate near 0. */
    LOG1P("log1p"),
    /** {@code sqrt(x)} */
    SQRT("sqrt"),
    /** {@code 1/sqrt(x)} */
    RSQRT("rsqrt"),
    /** {@code sin x} */
    SIN("sin"),
    /** {@code cos x} */
    COS("cos"),
    /** {@code erf x}, the error function. */
    ERF("erf"),
    /** {@code max(x, 0)}; NaN stays NaN, as in PyTorch. */
    RELU("relu"),
    /** {@code 1/(1+e^-x)} */
    SIGMOID("sigmoid"),
    /** {@code tanh x} */
    TANH("tanh"),
    /** {@code x * Phi(x) = 0.5 x (1 + erf(x/sqrt 2))}, the exact GELU. */
    GELU("gelu"),
    /** {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, GELU's tanh approximation. */
    GELU_TANH("gelu_tanh"),
    /**
     * {@code Phi(x) + x phi(x)}, the derivative of the exact GELU ({@code phi(x) = exp(-x^2/2) / sqrt(2 pi)}): its
     * gradient is {@code g * gelu_derivative(x)}, one pass over memory where the composite took ten (PyTorch's
     * {@code gelu_backward}).
     */
    GELU_DERIVATIVE("gelu_derivative"),
    /**
     * The derivative of {@link #GELU_TANH}: {@code 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)},
     * {@code t = tanh(sqrt(2/pi) (x + 0.044715 x^3))} (PyTorch's {@code gelu_backward(approximate='tanh')}).
     */
    GELU_TANH_DERIVATIVE("gelu_tanh_derivative"),
    /** {@code x * sigmoid(x)}, also called swish. */
    SILU("silu"),
    /** {@code log(1 + e^(a x)) / a}, and {@code x} where {@code a x > b}: a = beta, b = threshold. */
    SOFTPLUS("softplus"),
    /** {@code x} for x > 0, else {@code a (e^x - 1)}: a = alpha. */
    ELU("elu"),
    /** {@code x} for x > 0, else {@code a x}: a = negative slope. */
    LEAKY_RELU("leaky_relu"),
    /** {@code min(max(x, a), b)}: a = min, b = max. */
    CLAMP("clamp"),
    /** {@code floor x}, the largest integer not above x; gradient zero, as in PyTorch. The identity on integers. */
    FLOOR("floor"),
    /**
     * {@code x} rounded to the nearest integer, halves to the even neighbour ({@code round(2.5) = 2}), as
     * {@code torch.round}; gradient zero. A primitive because {@code floor(x + 0.5)} is wrong in single precision
     * (0.49999997 + 0.5 rounds to 1) and rounds halves up. The identity on integers.
     */
    ROUND("round");

    static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private final String label;

    UnaryOp(String label) {
        this.label = label;
    }

    /** The name printed in listings, e.g. {@code leaky_relu}. */
    public String label() {
        return label;
    }

    /** True for ops that use the {@code a}/{@code b} parameters. */
    public boolean hasParameters() {
        return this == SOFTPLUS || this == ELU || this == LEAKY_RELU || this == CLAMP;
    }

    /** True for ops defined on integer tensors too. */
    public boolean acceptsIntegers() {
        return this == NEG || this == ABS || this == SIGN || this == RELU || this == CLAMP || this == FLOOR || this == ROUND;
    }

    /** The function at {@code x} with parameters {@code a}, {@code b}. */
    public double apply(double x, double a, double b) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case EXP -> Math.exp(x);
            case EXPM1 -> Math.expm1(x);
            case LOG -> Math.log(x);
            case LOG1P -> Math.log1p(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case ERF -> SpecialFunctions.erf(x);
            case RELU -> x > 0 || Double.isNaN(x) ? x : 0;
            case SIGMOID -> SpecialFunctions.sigmoid(x);
            case TANH -> Math.tanh(x);
            case GELU -> 0.5 * x * (1 + SpecialFunctions.erf(x / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
            case GELU_DERIVATIVE -> 0.5 * (1 + SpecialFunctions.erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            case GELU_TANH_DERIVATIVE -> {
                double t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
            }
            case SILU -> x * SpecialFunctions.sigmoid(x);
            case SOFTPLUS -> a * x > b ? x : Math.log1p(Math.exp(a * x)) / a;
            case ELU -> x > 0 ? x : a * Math.expm1(x);
            case LEAKY_RELU -> x > 0 ? x : a * x;
            case CLAMP -> Math.min(Math.max(x, a), b);
            case FLOOR -> Math.floor(x);
            case ROUND -> Math.rint(x);
        };
    }
}
