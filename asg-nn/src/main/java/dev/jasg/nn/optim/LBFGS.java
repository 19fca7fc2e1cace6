package dev.jasg.nn.optim;

import dev.jasg.core.Executable;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.nn.Repr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.LBFGS}: limited-memory BFGS, driven from the host because one step evaluates
 * the loss and its gradient several times. Each {@link #step} does up to {@code max_iter}
 * iterations (and at most {@code max_eval} evaluations): with {@code g} the flat gradient,
 * {@code s = t d} the last move and {@code y} the change of {@code g},
 * <pre>
 * d = -g                                                     (first iteration ever)
 * d = -H g   (two-loop recursion over the last history_size pairs (s, y) with y.s > 1e-10,
 *             H_0 = y.s / y.y of the newest pair)
 * t = min(1, 1 / sum|g|) * lr on the first iteration ever, else lr
 * x = x + t d                                                (line_search_fn None)
 * t from a strong-Wolfe line search (c1 1e-4, c2 0.9, 25 evaluations at most), x = x + t d   ("strong_wolfe")
 * </pre>
 * and stops early when {@code max|g| <= tolerance_grad}, {@code g.d > -tolerance_change},
 * {@code max|t d| <= tolerance_change} or the loss changed by less than {@code tolerance_change}.
 * The history, the direction, the previous gradient and the step survive between steps, as
 * PyTorch's {@code state}. Vectors are float32 and the scalars computed from them (dot products,
 * {@code 1 / y.s}, {@code H_0}, the recursion's coefficients) are rounded to float, as PyTorch's
 * 0-dim float tensors; the line search's scalars (step, losses, directional derivatives,
 * cubic interpolation) are doubles, where PyTorch mixes Python floats and float tensors.
 *
 * <p>Three ways to drive it: {@link #step(float[], Objective)} over a flat parameter vector and a
 * function giving the loss and gradient at a point; {@link #step(Executable, Map, List)} over a
 * compiled forward-and-gradient executable (outputs {@value #LOSS_OUTPUT} and
 * {@code grad:<name>}) and its parameter store; and a {@link dev.jasg.nn.train.Trainer} built with
 * {@code lbfgs(...)} instead of an optimizer, whose {@code step(batch)} is one LBFGS step.
 *
 * <p>Defaults as PyTorch: lr 1, max_iter 20, max_eval {@code max_iter * 5 / 4}, tolerance_grad
 * 1e-7, tolerance_change 1e-9, history_size 100, no line search. Differences: parameter groups
 * are not offered (PyTorch refuses them too); when the bracketing phase of the line search uses
 * all 25 evaluations, the bracket's directional derivatives are set here (PyTorch leaves them
 * unset). Not thread-safe: one caller at a time.
 */
public final class LBFGS {
    /** Name of the loss output {@link #step(Executable, Map, List)} reads. */
    public static final String LOSS_OUTPUT = "loss";

    /** PyTorch's {@code line_search_fn}. */
    public enum LineSearch {
        /** {@code None}: a fixed step {@code t}. */
        NONE,
        /** {@code "strong_wolfe"}. */
        STRONG_WOLFE
    }

    /** The loss at point {@code x}, with its gradient written into {@code grad} (both of the problem's size). */
    @FunctionalInterface
    public interface Objective {
        /** Evaluates the loss at {@code x} and writes {@code d loss / d x} into {@code grad}; must not keep or change {@code x}. */
        double evaluate(float[] x, float[] grad);
    }

    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;
    private static final int MAX_LS = 25;

    private final double lr;
    private final int maxIter;
    private final int maxEval;
    private final double toleranceGrad;
    private final double toleranceChange;
    private final int historySize;
    private final LineSearch lineSearch;

    // PyTorch's state
    private long funcEvals;
    private long nIter;
    private float[] d;
    private double t;
    private final List<float[]> oldDirs = new ArrayList<>();
    private final List<float[]> oldStps = new ArrayList<>();
    private final List<Float> ro = new ArrayList<>();
    private float hDiag = 1;
    private float[] prevFlatGrad;
    private double prevLoss;
    private int size = -1;

    /** LBFGS with PyTorch's defaults: lr 1, max_iter 20, no line search. */
    public LBFGS() {
        this(1);
    }

    /** LBFGS with learning rate {@code lr} and the other defaults. */
    public LBFGS(double lr) {
        this(lr, 20, 25, 1e-7, 1e-9, 100, LineSearch.NONE);
    }

    /** LBFGS with {@code max_eval} defaulting to {@code maxIter * 5 / 4}, as PyTorch. */
    public LBFGS(double lr, int maxIter, LineSearch lineSearch) {
        this(lr, maxIter, maxIter * 5 / 4, 1e-7, 1e-9, 100, lineSearch);
    }

    /** LBFGS with every option, in PyTorch's order. */
    public LBFGS(double lr, int maxIter, int maxEval, double toleranceGrad, double toleranceChange, int historySize, LineSearch lineSearch) {
        if (!(lr > 0)) throw new IllegalArgumentException("LBFGS: lr must be > 0, got " + lr);
        if (maxIter < 1) throw new IllegalArgumentException("LBFGS: max_iter must be >= 1, got " + maxIter);
        if (maxEval < 1) throw new IllegalArgumentException("LBFGS: max_eval must be >= 1, got " + maxEval);
        if (historySize < 1) throw new IllegalArgumentException("LBFGS: history_size must be >= 1, got " + historySize);
        Optimizer.checkNonNegative("LBFGS", "tolerance_grad", toleranceGrad);
        Optimizer.checkNonNegative("LBFGS", "tolerance_change", toleranceChange);
        if (lineSearch == null) throw new IllegalArgumentException("LBFGS: line_search_fn is null (use LineSearch.NONE)");
        this.lr = lr;
        this.maxIter = maxIter;
        this.maxEval = maxEval;
        this.toleranceGrad = toleranceGrad;
        this.toleranceChange = toleranceChange;
        this.historySize = historySize;
        this.lineSearch = lineSearch;
    }

    /** The learning rate (what a trainer uses when no scheduler sets it). */
    public double lr() {
        return lr;
    }

    /** Evaluations of the objective so far, PyTorch's {@code state["func_evals"]}. */
    public long funcEvals() {
        return funcEvals;
    }

    /** Iterations so far, PyTorch's {@code state["n_iter"]}. */
    public long nIter() {
        return nIter;
    }

    /** One step at the learning rate {@link #lr()}; see {@link #step(float[], Objective, double)}. */
    public double step(float[] x, Objective f) {
        return step(x, f, lr);
    }

    /**
     * One LBFGS step (up to {@code max_iter} iterations) from {@code x}, which is updated in place,
     * with learning rate {@code lr} (a scheduler's); returns the loss at the starting point, as
     * PyTorch's {@code step(closure)}.
     *
     * @throws IllegalArgumentException when {@code x}'s length differs from the previous steps'
     */
    public double step(float[] x, Objective f, double lr) {
        if (size < 0) size = x.length;
        if (x.length != size) throw new IllegalArgumentException("LBFGS.step: " + x.length + " parameters, but the history is over " + size);
        float[] flatGrad = new float[x.length];
        double origLoss = f.evaluate(x, flatGrad);
        double loss = origLoss;
        int currentEvals = 1;
        funcEvals++;
        if (absMax(flatGrad) <= toleranceGrad) return origLoss;

        int n = 0;
        while (n < maxIter) {
            n++;
            nIter++;
            if (nIter == 1) {
                d = neg(flatGrad);
                oldDirs.clear();
                oldStps.clear();
                ro.clear();
                hDiag = 1;
            } else {
                float[] y = new float[x.length], s = new float[x.length];
                float tf = (float) t;
                for (int i = 0; i < y.length; i++) {
                    y[i] = flatGrad[i] - prevFlatGrad[i];
                    s[i] = d[i] * tf;
                }
                float ys = dot(y, s);
                if (ys > 1e-10) {
                    if (oldDirs.size() == historySize) {
                        oldDirs.remove(0);
                        oldStps.remove(0);
                        ro.remove(0);
                    }
                    oldDirs.add(y);
                    oldStps.add(s);
                    ro.add((float) (1.0 / ys));
                    hDiag = ys / dot(y, y);
                }
                int num = oldDirs.size();
                float[] al = new float[num];
                float[] q = neg(flatGrad);
                for (int i = num - 1; i >= 0; i--) {
                    al[i] = dot(oldStps.get(i), q) * ro.get(i);
                    axpy(q, -al[i], oldDirs.get(i));
                }
                float[] r = new float[q.length];
                for (int i = 0; i < q.length; i++) r[i] = q[i] * hDiag;
                for (int i = 0; i < num; i++) {
                    float be = dot(oldDirs.get(i), r) * ro.get(i);
                    axpy(r, al[i] - be, oldStps.get(i));
                }
                d = r;
            }
            prevFlatGrad = flatGrad.clone();
            prevLoss = loss;

            if (nIter == 1) {
                float inv = (float) (1.0 / absSum(flatGrad));
                t = inv < 1 ? (float) (inv * lr) : lr;
            } else {
                t = lr;
            }
            float gtd = dot(flatGrad, d);
            if (gtd > -toleranceChange) break;

            int lsEvals = 0;
            boolean optCond = false;
            switch (lineSearch) {
                case STRONG_WOLFE -> {
                    Search ls = strongWolfe(f, x, t, d, loss, flatGrad, gtd);
                    loss = ls.f;
                    flatGrad = ls.g;
                    t = ls.t;
                    lsEvals = ls.evals;
                    addScaled(x, t, d);
                    optCond = absMax(flatGrad) <= toleranceGrad;
                }
                case NONE -> {
                    addScaled(x, t, d);
                    if (n != maxIter) {
                        flatGrad = new float[x.length];
                        loss = f.evaluate(x, flatGrad);
                        optCond = absMax(flatGrad) <= toleranceGrad;
                        lsEvals = 1;
                    }
                }
            }
            currentEvals += lsEvals;
            funcEvals += lsEvals;

            if (n == maxIter) break;
            if (currentEvals >= maxEval) break;
            if (optCond) break;
            float tf = (float) t;
            float moved = 0;
            for (float v : d) moved = Math.max(moved, Math.abs(v * tf));
            if (moved <= toleranceChange) break;
            if (Math.abs(loss - prevLoss) < toleranceChange) break;
        }
        return origLoss;
    }

    /** One step at {@link #lr()}; see {@link #step(Executable, Map, List, double)}. */
    public double step(Executable forwardAndGradients, Map<String, HostTensor> feeds, List<String> names) {
        return step(forwardAndGradients, feeds, names, lr);
    }

    /**
     * One step over the parameters {@code names} of {@code forwardAndGradients}' store: each
     * evaluation writes the trial parameters into the store, runs the executable with
     * {@code feeds} and reads its {@value #LOSS_OUTPUT} and {@code grad:<name>} outputs; at the end
     * the store holds the new parameters. Returns the loss at the starting point.
     *
     * @throws IllegalArgumentException when a name is not in the store or has no {@code grad:<name>} output
     */
    public double step(Executable forwardAndGradients, Map<String, HostTensor> feeds, List<String> names, double lr) {
        Parameters store = forwardAndGradients.parameters();
        Map<String, Shape> shapes = new HashMap<>();
        int total = 0;
        for (String name : names) {
            if (!store.contains(name)) throw new IllegalArgumentException("LBFGS.step: no parameter '" + name + "' in the store; it holds " + store.names());
            Shape sh = store.get(name).shape();
            shapes.put(name, sh);
            total += (int) sh.size();
        }
        float[] x = new float[total];
        int off = 0;
        for (String name : names) {
            float[] v = store.get(name).floats();
            System.arraycopy(v, 0, x, off, v.length);
            off += v.length;
        }
        Objective f = (point, grad) -> {
            write(store, names, shapes, point);
            Outputs o = forwardAndGradients.run(feeds);
            int at = 0;
            for (String name : names) {
                String out = "grad:" + name;
                if (!o.names().contains(out)) {
                    throw new IllegalArgumentException("LBFGS.step: the executable has no output '" + out + "' for parameter '" + name + "'; outputs " + o.names());
                }
                float[] g = o.get(out).floats();
                System.arraycopy(g, 0, grad, at, g.length);
                at += g.length;
            }
            return o.scalar(LOSS_OUTPUT);
        };
        double loss = step(x, f, lr);
        write(store, names, shapes, x);
        return loss;
    }

    private static void write(Parameters store, List<String> names, Map<String, Shape> shapes, float[] x) {
        int off = 0;
        for (String name : names) {
            Shape sh = shapes.get(name);
            float[] v = new float[(int) sh.size()];
            System.arraycopy(x, off, v, 0, v.length);
            off += v.length;
            store.set(name, HostTensor.of(dev.jasg.core.DType.F32, sh, v));
        }
    }

    // ---- strong Wolfe line search (PyTorch's _strong_wolfe, ported from minFunc) ----

    private record Search(double f, float[] g, double t, int evals) {}

    /** The loss and gradient at {@code x + t d} (x itself unchanged), PyTorch's {@code _directional_evaluate}. */
    private static double directional(Objective f, float[] x, double t, float[] d, float[] gradOut) {
        float[] xt = x.clone();
        addScaled(xt, t, d);
        return f.evaluate(xt, gradOut);
    }

    private Search strongWolfe(Objective obj, float[] x, double t, float[] d, double f, float[] g, double gtd) {
        float dNorm = absMax(d);
        g = g.clone();
        float[] gNew = new float[x.length];
        double fNew = directional(obj, x, t, d, gNew);
        int evals = 1;
        double gtdNew = dot(gNew, d);

        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        float[] gPrev = g;
        boolean done = false;
        int lsIter = 0;
        double[] bracket = null, bracketF = null, bracketGtd = null;
        float[][] bracketG = null;
        while (lsIter < MAX_LS) {
            if (fNew > armijo(f, t, gtd) || (lsIter > 1 && fNew >= fPrev)) {
                bracket = new double[] {tPrev, t};
                bracketF = new double[] {fPrev, fNew};
                bracketG = new float[][] {gPrev, gNew.clone()};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            if (Math.abs(gtdNew) <= -C2 * gtd) {
                bracket = new double[] {t};
                bracketF = new double[] {fNew};
                bracketG = new float[][] {gNew};
                done = true;
                break;
            }
            if (gtdNew >= 0) {
                bracket = new double[] {tPrev, t};
                bracketF = new double[] {fPrev, fNew};
                bracketG = new float[][] {gPrev, gNew.clone()};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            double minStep = (float) (t + (float) (0.01 * (t - tPrev)));
            double maxStep = (float) (t * 10);
            double tmp = t;
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
            tPrev = tmp;
            fPrev = fNew;
            gPrev = gNew.clone();
            gtdPrev = gtdNew;
            gNew = new float[x.length];
            fNew = directional(obj, x, t, d, gNew);
            evals++;
            gtdNew = dot(gNew, d);
            lsIter++;
        }
        if (lsIter == MAX_LS) {
            bracket = new double[] {0, t};
            bracketF = new double[] {f, fNew};
            bracketG = new float[][] {g, gNew};
            bracketGtd = new double[] {gtd, gtdNew};
        }

        boolean insufProgress = false;
        int lowPos = bracketF[0] <= bracketF[bracketF.length - 1] ? 0 : 1, highPos = 1 - lowPos;
        while (!done && lsIter < MAX_LS) {
            if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
            t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1],
                    Math.min(bracket[0], bracket[1]), Math.max(bracket[0], bracket[1]));
            double hi = Math.max(bracket[0], bracket[1]), lo = Math.min(bracket[0], bracket[1]);
            double eps = 0.1 * (hi - lo);
            if (Math.min(hi - t, t - lo) < eps) {
                if (insufProgress || t >= hi || t <= lo) {
                    t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
                    insufProgress = false;
                } else {
                    insufProgress = true;
                }
            } else {
                insufProgress = false;
            }
            gNew = new float[x.length];
            fNew = directional(obj, x, t, d, gNew);
            evals++;
            gtdNew = dot(gNew, d);
            lsIter++;
            if (fNew > armijo(f, t, gtd) || fNew >= bracketF[lowPos]) {
                bracket[highPos] = t;
                bracketF[highPos] = fNew;
                bracketG[highPos] = gNew.clone();
                bracketGtd[highPos] = gtdNew;
                lowPos = bracketF[0] <= bracketF[1] ? 0 : 1;
                highPos = 1 - lowPos;
            } else {
                if (Math.abs(gtdNew) <= -C2 * gtd) {
                    done = true;
                } else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
                    bracket[highPos] = bracket[lowPos];
                    bracketF[highPos] = bracketF[lowPos];
                    bracketG[highPos] = bracketG[lowPos];
                    bracketGtd[highPos] = bracketGtd[lowPos];
                }
                bracket[lowPos] = t;
                bracketF[lowPos] = fNew;
                bracketG[lowPos] = gNew.clone();
                bracketGtd[lowPos] = gtdNew;
            }
        }
        return new Search(bracketF[lowPos], bracketG[lowPos], bracket[lowPos], evals);
    }

    /** {@code f + c1 t gtd}, a float tensor in PyTorch (gtd is one). */
    private static double armijo(double f, double t, double gtd) {
        return (float) (f + (float) ((float) (C1 * t) * gtd));
    }

    /**
     * The minimizer of the cubic through {@code (x1, f1)} and {@code (x2, f2)} with slopes {@code g1},
     * {@code g2}, clamped to {@code [lo, hi]}; the interval's middle when the cubic has no minimum.
     */
    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
        // The slopes are float tensors in PyTorch, so every expression that involves them is float32.
        float d1 = (float) ((float) (g1 + g2) - (float) (3 * (f1 - f2) / (x1 - x2)));
        float d2Square = (float) (d1 * d1) - (float) (g1 * g2);
        if (d2Square >= 0) {
            float d2 = (float) Math.sqrt(d2Square);
            double minPos = x1 <= x2 ? (float) (x2 - (float) ((x2 - x1) * (float) ((float) ((float) (g2 + d2) - d1) / (float) ((float) (g2 - g1) + 2 * d2))))
                    : (float) (x1 - (float) ((x1 - x2) * (float) ((float) ((float) (g1 + d2) - d1) / (float) ((float) (g1 - g2) + 2 * d2))));
            return Math.min(Math.max(minPos, lo), hi);
        }
        return (lo + hi) / 2;
    }

    // ---- float32 vector arithmetic, as PyTorch's float tensors ----

    private static float dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return (float) s;
    }

    /** {@code a += alpha * b} in float, as {@code a.add_(b, alpha=alpha)}. */
    private static void axpy(float[] a, float alpha, float[] b) {
        for (int i = 0; i < a.length; i++) a[i] = a[i] + alpha * b[i];
    }

    /** {@code x += t d} with {@code t} rounded to float, as PyTorch's {@code _add_grad}. */
    private static void addScaled(float[] x, double t, float[] d) {
        axpy(x, (float) t, d);
    }

    private static float[] neg(float[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) r[i] = -a[i];
        return r;
    }

    private static float absMax(float[] a) {
        float m = 0;
        for (float v : a) {
            if (Float.isNaN(v)) return Float.NaN;
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static float absSum(float[] a) {
        double s = 0;
        for (float v : a) s += Math.abs(v);
        return (float) s;
    }

    @Override
    public String toString() {
        return "LBFGS(lr=" + Repr.of(lr) + ", max_iter=" + maxIter + ", max_eval=" + maxEval + ", tolerance_grad=" + Repr.of(toleranceGrad)
                + ", tolerance_change=" + Repr.of(toleranceChange) + ", history_size=" + historySize + ", line_search_fn="
                + (lineSearch == LineSearch.NONE ? "None" : "'strong_wolfe'") + ")";
    }
}
