package dev.jasg.core;

/**
 * Scalar special functions the JDK lacks, accurate to near double precision, used by
 * the reference interpreter and, through {@link UnaryOp}, as the definition of the ops.
 */
public final class SpecialFunctions {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    private SpecialFunctions() {}

    /**
     * The error function {@code erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt}.
     * Maclaurin series below |x| = 1.5; from there to 3 the series of positive terms
     * {@code erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))}, because
     * the alternating Maclaurin terms cancel and lose about two digits near 3; above 3 the
     * continued fraction of erfc, evaluated backwards.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 1.5) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        if (ax < 3.0) {
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 200; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
            }
            return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
        }
        if (ax > 27) return Math.signum(x);
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
        double f = ax;
        for (int k = 60; k >= 1; k--) f = ax + (k / 2.0) / f;
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        return Math.signum(x) * (1 - erfc);
    }

    /** The logistic function {@code 1/(1+exp(-x))}, computed without overflow. */
    public static double sigmoid(double x) {
        if (x >= 0) return 1 / (1 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
