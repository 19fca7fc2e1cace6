package dev.jasg.core.reference;

import dev.jasg.core.LinalgException;
import dev.jasg.core.LinalgOp;
import dev.jasg.core.Node;

/**
 * Double-precision kernels of {@link LinalgOp} in plain loops, independent of the CPU backend's EJML
 * (so the op table checks one against the other): partial-pivoting LU, Cholesky–Banachiewicz,
 * Householder QR with LAPACK's signs, cyclic Jacobi for the symmetric eigenproblem and one-sided
 * (Hestenes) Jacobi for the SVD. Public so that a GPU backend can run these ops on the host until it
 * has kernels of its own. Stateless and thread-safe.
 */
public final class LinalgReference {
    private static final int MAX_SWEEPS = 100;

    private LinalgReference() {}

    /**
     * The value of {@code op} at node {@code n}: {@code a} of {@code aDims} ({@code [.., m, n]}), {@code b} of
     * {@code bDims} for {@link LinalgOp#SOLVE} (else null), output row-major over the batch. A matrix with a
     * NaN or an infinity gives NaN results; a singular or indefinite one throws {@link LinalgException}.
     */
    public static double[] compute(Node n, LinalgOp op, double[] a, int[] aDims, double[] b, int[] bDims) {
        int r = aDims.length, rows = aDims[r - 2], cols = aDims[r - 1], k = Math.min(rows, cols);
        long batch = 1;
        for (int i = 0; i < r - 2; i++) batch *= aDims[i];
        int rhs = op == LinalgOp.SOLVE ? bDims[bDims.length - 1] : 0;
        int outPer = switch (op) {
            case SOLVE -> rows * rhs;
            case INV, CHOLESKY, EIGH_VECTORS -> rows * rows;
            case DET, SLOGDET_SIGN, SLOGDET_LOGABS -> 1;
            case EIGH_VALUES, SVD_S -> k;
            case QR_Q, SVD_U -> rows * k;
            case QR_R, SVD_VH -> k * cols;
        };
        double[] out = new double[(int) (batch * outPer)];
        int per = rows * cols;
        for (int m = 0; m < batch; m++) {
            double[] x = new double[per];
            System.arraycopy(a, m * per, x, 0, per);
            double[] y = null;
            if (op == LinalgOp.SOLVE) {
                y = new double[rows * rhs];
                System.arraycopy(b, m * rows * rhs, y, 0, y.length);
            }
            double[] res = finite(x) && (y == null || finite(y)) ? one(n, op, m, aDims, x, rows, cols, y, rhs) : nan(outPer);
            System.arraycopy(res, 0, out, m * outPer, outPer);
        }
        return out;
    }

    private static double[] one(Node node, LinalgOp op, long m, int[] dims, double[] a, int rows, int cols, double[] b, int rhs) {
        int n = rows;
        return switch (op) {
            case SOLVE -> {
                Lu lu = lu(a, n);
                if (lu.singular) throw LinalgException.of(node, op, m, dims, "the matrix is singular (a zero pivot in LU)");
                yield lu.solve(b, rhs);
            }
            case INV -> {
                Lu lu = lu(a, n);
                if (lu.singular) throw LinalgException.of(node, op, m, dims, "the matrix is singular (a zero pivot in LU)");
                double[] id = new double[n * n];
                for (int i = 0; i < n; i++) id[i * n + i] = 1;
                yield lu.solve(id, n);
            }
            case DET -> {
                Lu lu = lu(a, n);
                double d = lu.sign;
                for (int i = 0; i < n; i++) d *= lu.a[i * n + i];
                yield new double[] {d};
            }
            case SLOGDET_SIGN, SLOGDET_LOGABS -> {
                Lu lu = lu(a, n);
                double sign = lu.sign, log = 0;
                for (int i = 0; i < n; i++) {
                    double u = lu.a[i * n + i];
                    sign *= Math.signum(u);
                    log += Math.log(Math.abs(u));
                }
                yield new double[] {op == LinalgOp.SLOGDET_SIGN ? sign : log};
            }
            case CHOLESKY -> {
                double[] l = new double[n * n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j <= i; j++) {
                        double s = a[i * n + j];
                        for (int p = 0; p < j; p++) s -= l[i * n + p] * l[j * n + p];
                        if (i == j) {
                            if (!(s > 0)) {
                                throw LinalgException.of(node, op, m, dims, "the matrix is not positive-definite (the leading minor of order "
                                        + (i + 1) + " is not positive)");
                            }
                            l[i * n + i] = Math.sqrt(s);
                        } else {
                            l[i * n + j] = s / l[j * n + j];
                        }
                    }
                }
                yield l;
            }
            case QR_Q, QR_R -> {
                double[][] qr = qr(a, rows, cols);
                yield op == LinalgOp.QR_Q ? qr[0] : qr[1];
            }
            case EIGH_VALUES, EIGH_VECTORS -> {
                double[][] e = eigh(a, n);
                yield op == LinalgOp.EIGH_VALUES ? e[0] : e[1];
            }
            case SVD_U, SVD_S, SVD_VH -> {
                double[][] s = svd(a, rows, cols);
                yield op == LinalgOp.SVD_U ? s[0] : op == LinalgOp.SVD_S ? s[1] : s[2];
            }
        };
    }

    /** LU with partial pivoting, {@code P A = L U} packed in {@code a}; singular when a pivot is exactly zero (LAPACK's test). */
    private record Lu(double[] a, int[] perm, double sign, boolean singular, int n) {
        double[] solve(double[] b, int k) {
            double[] x = new double[n * k];
            for (int i = 0; i < n; i++) System.arraycopy(b, perm[i] * k, x, i * k, k);
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < i; p++) {
                    double l = a[i * n + p];
                    for (int c = 0; c < k; c++) x[i * k + c] -= l * x[p * k + c];
                }
            }
            for (int i = n - 1; i >= 0; i--) {
                for (int p = i + 1; p < n; p++) {
                    double u = a[i * n + p];
                    for (int c = 0; c < k; c++) x[i * k + c] -= u * x[p * k + c];
                }
                double d = a[i * n + i];
                for (int c = 0; c < k; c++) x[i * k + c] /= d;
            }
            return x;
        }
    }

    private static Lu lu(double[] src, int n) {
        double[] a = src.clone();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        double sign = 1;
        boolean singular = false;
        for (int j = 0; j < n; j++) {
            int p = j;
            for (int i = j + 1; i < n; i++) if (Math.abs(a[i * n + j]) > Math.abs(a[p * n + j])) p = i;
            if (p != j) {
                for (int c = 0; c < n; c++) {
                    double t = a[j * n + c];
                    a[j * n + c] = a[p * n + c];
                    a[p * n + c] = t;
                }
                int t = perm[j];
                perm[j] = perm[p];
                perm[p] = t;
                sign = -sign;
            }
            double d = a[j * n + j];
            if (d == 0) {
                singular = true;
                continue;
            }
            for (int i = j + 1; i < n; i++) {
                double l = a[i * n + j] / d;
                a[i * n + j] = l;
                for (int c = j + 1; c < n; c++) a[i * n + c] -= l * a[j * n + c];
            }
        }
        return new Lu(a, perm, sign, singular, n);
    }

    /** Reduced Householder QR of row-major {@code a [m, n]}: {@code {Q [m,k], R [k,n]}}, LAPACK's {@code dgeqrf} signs ({@code beta = -sign(alpha) |x|}). */
    public static double[][] qr(double[] src, int m, int n) {
        int k = Math.min(m, n);
        double[] a = src.clone();
        double[][] vs = new double[k][];
        double[] taus = new double[k];
        for (int j = 0; j < k; j++) {
            double alpha = a[j * n + j], xnorm = 0;
            for (int i = j + 1; i < m; i++) xnorm = Math.hypot(xnorm, a[i * n + j]);
            double[] v = new double[m];
            v[j] = 1;
            if (xnorm == 0) {
                vs[j] = v; // H = I: LAPACK leaves the column as it is
                continue;
            }
            double beta = -Math.copySign(Math.hypot(alpha, xnorm), alpha);
            taus[j] = (beta - alpha) / beta;
            for (int i = j + 1; i < m; i++) v[i] = a[i * n + j] / (alpha - beta);
            vs[j] = v;
            a[j * n + j] = beta;
            for (int i = j + 1; i < m; i++) a[i * n + j] = 0;
            for (int c = j + 1; c < n; c++) {
                double s = 0;
                for (int i = j; i < m; i++) s += v[i] * a[i * n + c];
                s *= taus[j];
                for (int i = j; i < m; i++) a[i * n + c] -= s * v[i];
            }
        }
        double[] r = new double[k * n];
        for (int i = 0; i < k; i++) for (int c = i; c < n; c++) r[i * n + c] = a[i * n + c];
        double[] q = new double[m * k];
        for (int i = 0; i < k; i++) q[i * k + i] = 1;
        for (int j = k - 1; j >= 0; j--) {
            double[] v = vs[j];
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int i = j; i < m; i++) s += v[i] * q[i * k + c];
                s *= taus[j];
                for (int i = j; i < m; i++) q[i * k + c] -= s * v[i];
            }
        }
        return new double[][] {q, r};
    }

    /** Cyclic Jacobi on the symmetric matrix of {@code a}'s lower triangle: {@code {w ascending, V [n,n]}}, vectors signed. */
    static double[][] eigh(double[] src, int n) {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i * n + j] = src[i * n + j];
                a[j * n + i] = src[i * n + j];
            }
        }
        double[] v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0, all = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double x = a[i * n + j] * a[i * n + j];
                    all += x;
                    if (i != j) off += x;
                }
            }
            if (off <= 1e-32 * all || off == 0) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p * n + q];
                    if (apq == 0) continue;
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    rotate(a, n, n, p, q, c, s, true);
                    rotate(a, n, n, p, q, c, s, false);
                    rotate(v, n, n, p, q, c, s, true);
                }
            }
        }
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = a[i * n + i];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(w[x], w[y]));
        double[] ws = new double[n], vs = new double[n * n];
        for (int c = 0; c < n; c++) {
            ws[c] = w[order[c]];
            for (int i = 0; i < n; i++) vs[i * n + c] = v[i * n + order[c]];
        }
        signColumns(vs, n, n, null, 0);
        return new double[][] {ws, vs};
    }

    /** Columns {@code p, q} ({@code cols}) or rows {@code p, q} of an {@code r x c} matrix rotated: {@code x_p' = c x_p - s x_q, x_q' = s x_p + c x_q}. */
    private static void rotate(double[] a, int r, int cc, int p, int q, double c, double s, boolean cols) {
        if (cols) {
            for (int i = 0; i < r; i++) {
                double xp = a[i * cc + p], xq = a[i * cc + q];
                a[i * cc + p] = c * xp - s * xq;
                a[i * cc + q] = s * xp + c * xq;
            }
        } else {
            for (int i = 0; i < cc; i++) {
                double xp = a[p * cc + i], xq = a[q * cc + i];
                a[p * cc + i] = c * xp - s * xq;
                a[q * cc + i] = s * xp + c * xq;
            }
        }
    }

    /** One-sided Jacobi SVD, reduced: {@code {U [m,k], S [k] descending, Vh [k,n]}}, {@code u_i}'s largest entry positive. */
    static double[][] svd(double[] src, int m, int n) {
        boolean flip = m < n;
        int rows = flip ? n : m, cols = flip ? m : n;
        double[] u = new double[rows * cols];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                if (flip) u[j * cols + i] = src[i * n + j];
                else u[i * cols + j] = src[i * n + j];
            }
        }
        double[] v = new double[cols * cols];
        for (int i = 0; i < cols; i++) v[i * cols + i] = 1;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < cols; p++) {
                for (int q = p + 1; q < cols; q++) {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int i = 0; i < rows; i++) {
                        double x = u[i * cols + p], y = u[i * cols + q];
                        alpha += x * x;
                        beta += y * y;
                        gamma += x * y;
                    }
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double c = 1 / Math.sqrt(1 + t * t), s = c * t;
                    rotate(u, rows, cols, p, q, c, s, true);
                    rotate(v, cols, cols, p, q, c, s, true);
                }
            }
            if (!rotated) break;
        }
        double[] sv = new double[cols];
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int i = 0; i < rows; i++) s = Math.hypot(s, u[i * cols + j]);
            sv[j] = s;
            if (s > 0) for (int i = 0; i < rows; i++) u[i * cols + j] /= s;
        }
        Integer[] order = new Integer[cols];
        for (int i = 0; i < cols; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(sv[y], sv[x]));
        int k = cols;
        // A = U S V^T, or for the flipped A^T = U' S V'^T: A = V' S U'^T
        double[] uu = new double[m * k], ss = new double[k], vv = new double[n * k];
        for (int c = 0; c < k; c++) {
            int o = order[c];
            ss[c] = sv[o];
            for (int i = 0; i < rows; i++) {
                if (flip) vv[i * k + c] = u[i * cols + o];
                else uu[i * k + c] = u[i * cols + o];
            }
            for (int i = 0; i < cols; i++) {
                if (flip) uu[i * k + c] = v[i * cols + o];
                else vv[i * k + c] = v[i * cols + o];
            }
        }
        signColumns(uu, m, k, vv, n);
        double[] vh = new double[k * n];
        for (int i = 0; i < n; i++) for (int c = 0; c < k; c++) vh[c * n + i] = vv[i * k + c];
        return new double[][] {uu, ss, vh};
    }

    /**
     * Flips column {@code c} of {@code x [rows, cols]} (and of {@code partner [partnerRows, cols]}) so that
     * its entry of largest magnitude, the first such, is positive: the sign convention of eigh and svd.
     */
    public static void signColumns(double[] x, int rows, int cols, double[] partner, int partnerRows) {
        for (int c = 0; c < cols; c++) {
            int at = 0;
            for (int i = 1; i < rows; i++) if (Math.abs(x[i * cols + c]) > Math.abs(x[at * cols + c])) at = i;
            if (x[at * cols + c] < 0) {
                for (int i = 0; i < rows; i++) x[i * cols + c] = -x[i * cols + c];
                if (partner != null) for (int i = 0; i < partnerRows; i++) partner[i * cols + c] = -partner[i * cols + c];
            }
        }
    }

    private static boolean finite(double[] x) {
        for (double v : x) if (!Double.isFinite(v)) return false;
        return true;
    }

    private static double[] nan(int count) {
        double[] out = new double[count];
        java.util.Arrays.fill(out, Double.NaN);
        return out;
    }
}
