package dev.jasg.nn.metrics;

/**
 * Regression metrics on predictions {@code p} and targets {@code y}, as scikit-learn
 * defines them:
 * MSE = mean((y - p)^2), RMSE = sqrt(MSE), MAE = mean(|y - p|),
 * R2 = 1 - SS_res / SS_tot, MAPE = mean(|y - p| / max(|y|, eps)),
 * explained variance = 1 - Var(y - p) / Var(y), max error = max |y - p|.
 * R2 and explained variance of a constant target are 1 for a perfect fit and 0 otherwise.
 */
public final class Regression {
    /** The floor of |y| in MAPE (scikit-learn uses float64 machine epsilon). */
    public static final double MAPE_EPSILON = Math.ulp(1.0);

    private Regression() {}

    private static void check(double[] p, double[] y) {
        if (p.length != y.length) throw new IllegalArgumentException(p.length + " predictions for " + y.length + " targets");
        if (y.length == 0) throw new IllegalArgumentException("no examples");
    }

    /** Mean squared error. */
    public static double mse(double[] p, double[] y) {
        check(p, y);
        double s = 0;
        for (int i = 0; i < y.length; i++) s += (y[i] - p[i]) * (y[i] - p[i]);
        return s / y.length;
    }

    /** Root mean squared error. */
    public static double rmse(double[] p, double[] y) {
        return Math.sqrt(mse(p, y));
    }

    /** Mean absolute error. */
    public static double mae(double[] p, double[] y) {
        check(p, y);
        double s = 0;
        for (int i = 0; i < y.length; i++) s += Math.abs(y[i] - p[i]);
        return s / y.length;
    }

    /** Coefficient of determination. */
    public static double r2(double[] p, double[] y) {
        check(p, y);
        double mean = mean(y), res = 0, tot = 0;
        for (int i = 0; i < y.length; i++) {
            res += (y[i] - p[i]) * (y[i] - p[i]);
            tot += (y[i] - mean) * (y[i] - mean);
        }
        if (tot == 0) return res == 0 ? 1 : 0;
        return 1 - res / tot;
    }

    /** Mean absolute percentage error, as a fraction (0.1 is 10%). */
    public static double mape(double[] p, double[] y) {
        check(p, y);
        double s = 0;
        for (int i = 0; i < y.length; i++) s += Math.abs(y[i] - p[i]) / Math.max(Math.abs(y[i]), MAPE_EPSILON);
        return s / y.length;
    }

    /** Explained variance score. */
    public static double explainedVariance(double[] p, double[] y) {
        check(p, y);
        double[] r = new double[y.length];
        for (int i = 0; i < y.length; i++) r[i] = y[i] - p[i];
        double vr = variance(r), vy = variance(y);
        if (vy == 0) return vr == 0 ? 1 : 0;
        return 1 - vr / vy;
    }

    /** Largest absolute error. */
    public static double maxError(double[] p, double[] y) {
        check(p, y);
        double m = 0;
        for (int i = 0; i < y.length; i++) m = Math.max(m, Math.abs(y[i] - p[i]));
        return m;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    private static double variance(double[] v) {
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return s / v.length;
    }
}
