package dev.jasg.nn;

import java.math.BigDecimal;

/**
 * How layers and optimizers print their settings in {@code toString}, so that every one prints
 * in the same style: {@code Linear(in_features=4, out_features=8, bias=true)},
 * {@code LayerNorm((8,), eps=1e-05, elementwise_affine=true)}.
 *
 * <ul>
 *   <li>Booleans and {@code null} as Java writes them: {@code true}, {@code false}, {@code null}
 *       (PyTorch's {@code True}/{@code None} would look foreign in a Java program).</li>
 *   <li>Floating-point numbers as Python's {@code repr} writes them, which is what PyTorch users
 *       read in module listings: the shortest decimal that reads back to the same value, plain
 *       when {@code 1e-4 <= |x| < 1e16} and with a point ({@code 0.1}, {@code 1.0},
 *       {@code 20.0}), otherwise scientific with a two-digit exponent ({@code 1e-05},
 *       {@code 2.5e-07}, {@code 1e+16}); never Java's {@code 1.0E-5}. A float is printed by its
 *       own shortest digits ({@code 1e-05}, not {@code 9.999999747378752e-06}).</li>
 *   <li>Strings in single quotes ({@code approximate='tanh'}); integers and anything else by
 *       {@code toString}.</li>
 * </ul>
 */
public final class Repr {
    private Repr() {}

    /** {@code value} in the style above, chosen by its runtime type. */
    public static String of(Object value) {
        return switch (value) {
            case null -> "null";
            case Double d -> of(d.doubleValue());
            case Float f -> of(f.floatValue());
            case String s -> "'" + s + "'";
            default -> value.toString();
        };
    }

    /** {@code value} as Python's {@code repr} writes a float: {@code 0.1}, {@code 1.0}, {@code 1e-05}. */
    public static String of(double value) {
        return decimal(Double.toString(value), value);
    }

    /** {@code value} by its float digits: {@code 1e-05f} is {@code 1e-05}. */
    public static String of(float value) {
        return decimal(Float.toString(value), value);
    }

    /** {@code value} as a whole number ({@code int} arguments land here, not in {@link #of(float)}). */
    public static String of(long value) {
        return Long.toString(value);
    }

    /** {@code value}: {@code true} or {@code false}. */
    public static String of(boolean value) {
        return Boolean.toString(value);
    }

    // javaDigits is Java's shortest round-trip representation; only its layout changes here.
    private static String decimal(String javaDigits, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value == 0) return javaDigits; // NaN, Infinity, 0.0, -0.0
        BigDecimal d = new BigDecimal(javaDigits).stripTrailingZeros();
        double magnitude = Math.abs(value);
        if (magnitude >= 1e-4 && magnitude < 1e16) {
            String plain = d.toPlainString();
            return plain.indexOf('.') < 0 ? plain + ".0" : plain;
        }
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d.signum() < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }
}
