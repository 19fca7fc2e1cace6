package dev.jasg.cpu;

import dev.jasg.core.LinalgException;
import dev.jasg.core.LinalgOp;
import dev.jasg.core.Node;
import dev.jasg.core.reference.LinalgReference;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.lu.LUDecompositionAlt_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.linsol.lu.LinearSolverLu_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * The {@link LinalgOp} kernels of the CPU backend, on EJML's double-precision dense row-major
 * decompositions (ejml-ddense): each f32 matrix of the batch is widened to f64, factorised, and the
 * result rounded back, so the f32 results are as accurate as f32 can hold. Shapes, sign conventions
 * (normalised after EJML as {@link LinalgOp} documents) and errors are those of the reference
 * interpreter: a matrix with a NaN or an infinity gives NaN; a zero LU pivot in solve/inv and a matrix
 * that is not positive-definite in cholesky throw {@link LinalgException}. Stateless; each call makes
 * its own EJML objects, so calls on different threads are independent.
 */
final class LinalgKernels {
    private LinalgKernels() {}

    /** {@code out} for {@code op} at node {@code n} from {@code a} ({@code aDims}) and, for solve, {@code b} ({@code bDims}). */
    static void compute(Node n, LinalgOp op, float[] a, int[] aDims, float[] b, int[] bDims, float[] out) {
        int r = aDims.length, rows = aDims[r - 2], cols = aDims[r - 1], k = Math.min(rows, cols);
        long batch = 1;
        for (int i = 0; i < r - 2; i++) batch *= aDims[i];
        int rhs = op == LinalgOp.SOLVE ? bDims[bDims.length - 1] : 0;
        int per = rows * cols, outPer = switch (op) {
            case SOLVE -> rows * rhs;
            case INV, CHOLESKY, EIGH_VECTORS -> rows * rows;
            case DET, SLOGDET_SIGN, SLOGDET_LOGABS -> 1;
            case EIGH_VALUES, SVD_S -> k;
            case QR_Q, SVD_U -> rows * k;
            case QR_R, SVD_VH -> k * cols;
        };
        for (int m = 0; m < batch; m++) {
            DMatrixRMaj x = new DMatrixRMaj(rows, cols);
            boolean finite = widen(a, m * per, x.data, per);
            DMatrixRMaj y = null;
            if (op == LinalgOp.SOLVE) {
                y = new DMatrixRMaj(rows, rhs);
                finite &= widen(b, m * rows * rhs, y.data, rows * rhs);
            }
            int at = m * outPer;
            if (!finite) {
                java.util.Arrays.fill(out, at, at + outPer, Float.NaN);
                continue;
            }
            double[] res = one(n, op, m, aDims, x, rows, cols, k, y, rhs);
            for (int i = 0; i < outPer; i++) out[at + i] = (float) res[i];
        }
    }

    private static double[] one(Node node, LinalgOp op, long m, int[] dims, DMatrixRMaj a, int rows, int cols, int k, DMatrixRMaj b, int rhs) {
        int n = rows;
        return switch (op) {
            case SOLVE, INV -> {
                LUDecompositionAlt_DDRM lu = new LUDecompositionAlt_DDRM();
                LinearSolverLu_DDRM solver = new LinearSolverLu_DDRM(lu);
                solver.setA(a);
                if (zeroPivot(lu.getLU(), n)) throw LinalgException.of(node, op, m, dims, "the matrix is singular (a zero pivot in LU)");
                DMatrixRMaj x = new DMatrixRMaj(n, op == LinalgOp.SOLVE ? rhs : n);
                if (op == LinalgOp.SOLVE) solver.solve(b, x);
                else solver.invert(x);
                yield x.data;
            }
            case DET, SLOGDET_SIGN, SLOGDET_LOGABS -> {
                LUDecompositionAlt_DDRM lu = new LUDecompositionAlt_DDRM();
                lu.decompose(a);
                double sign = parity(lu.getPivot(), n), log = 0, det = sign;
                DMatrixRMaj f = lu.getLU();
                for (int i = 0; i < n; i++) {
                    double u = f.data[i * n + i];
                    det *= u;
                    sign *= Math.signum(u);
                    log += Math.log(Math.abs(u));
                }
                yield new double[] {op == LinalgOp.DET ? det : op == LinalgOp.SLOGDET_SIGN ? sign : log};
            }
            case CHOLESKY -> {
                for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) a.data[i * n + j] = a.data[j * n + i]; // lower triangle only
                CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(n, true);
                if (!chol.decompose(a)) {
                    throw LinalgException.of(node, op, m, dims, "the matrix is not positive-definite (a non-positive pivot in Cholesky)");
                }
                DMatrixRMaj l = chol.getT(null);
                for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) l.data[i * n + j] = 0;
                yield l.data;
            }
            case QR_Q, QR_R -> {
                QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(rows, cols);
                qr.decompose(a);
                DMatrixRMaj q = qr.getQ(null, true), rr = qr.getR(null, true);
                if (rows <= cols) {
                    // The last reflector of a square or wide matrix acts on one element: LAPACK (and so PyTorch) skips it
                    // and keeps that element's sign in R, EJML reflects it (R = -element); flip row k-1 of R and column k-1 of Q.
                    for (int c = 0; c < cols; c++) rr.data[(k - 1) * cols + c] = -rr.data[(k - 1) * cols + c];
                    for (int i = 0; i < rows; i++) q.data[i * k + k - 1] = -q.data[i * k + k - 1];
                }
                yield (op == LinalgOp.QR_Q ? q : rr).data;
            }
            case EIGH_VALUES, EIGH_VECTORS -> {
                for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) a.data[i * n + j] = a.data[j * n + i];
                EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
                if (!eig.decompose(a)) throw LinalgException.of(node, op, m, dims, "the symmetric QR algorithm did not converge");
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) order[i] = i;
                java.util.Arrays.sort(order, (p, q) -> Double.compare(eig.getEigenvalue(p).real, eig.getEigenvalue(q).real));
                if (op == LinalgOp.EIGH_VALUES) {
                    double[] w = new double[n];
                    for (int c = 0; c < n; c++) w[c] = eig.getEigenvalue(order[c]).real;
                    yield w;
                }
                double[] v = new double[n * n];
                for (int c = 0; c < n; c++) {
                    DMatrixRMaj e = eig.getEigenVector(order[c]);
                    for (int i = 0; i < n; i++) v[i * n + c] = e.data[i];
                }
                LinalgReference.signColumns(v, n, n, null, 0);
                yield v;
            }
            case SVD_U, SVD_S, SVD_VH -> {
                SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, cols, op != LinalgOp.SVD_S,
                        op != LinalgOp.SVD_S, true);
                if (!svd.decompose(a)) throw LinalgException.of(node, op, m, dims, "the SVD did not converge");
                double[] s = svd.getSingularValues();
                Integer[] order = new Integer[k];
                for (int i = 0; i < k; i++) order[i] = i;
                java.util.Arrays.sort(order, (p, q) -> Double.compare(s[q], s[p]));
                if (op == LinalgOp.SVD_S) {
                    double[] w = new double[k];
                    for (int c = 0; c < k; c++) w[c] = s[order[c]];
                    yield w;
                }
                DMatrixRMaj u0 = svd.getU(null, false), v0 = svd.getV(null, false);
                double[] u = new double[rows * k], v = new double[cols * k];
                for (int c = 0; c < k; c++) {
                    int o = order[c];
                    for (int i = 0; i < rows; i++) u[i * k + c] = u0.get(i, o);
                    for (int i = 0; i < cols; i++) v[i * k + c] = v0.get(i, o);
                }
                LinalgReference.signColumns(u, rows, k, v, cols);
                if (op == LinalgOp.SVD_U) yield u;
                double[] vh = new double[k * cols];
                for (int i = 0; i < cols; i++) for (int c = 0; c < k; c++) vh[c * cols + i] = v[i * k + c];
                yield vh;
            }
        };
    }

    /** LAPACK's singularity test: an exactly zero pivot (EJML's own {@code isSingular} uses an absolute epsilon). */
    private static boolean zeroPivot(DMatrixRMaj lu, int n) {
        for (int i = 0; i < n; i++) if (lu.data[i * n + i] == 0) return true;
        return false;
    }

    /** The sign of a permutation ({@code +1} even, {@code -1} odd), from its cycles. */
    private static double parity(int[] perm, int n) {
        boolean[] seen = new boolean[n];
        int swaps = 0;
        for (int i = 0; i < n; i++) {
            if (seen[i]) continue;
            int len = 0;
            for (int j = i; !seen[j]; j = perm[j]) {
                seen[j] = true;
                len++;
            }
            swaps += len - 1;
        }
        return swaps % 2 == 0 ? 1 : -1;
    }

    private static boolean widen(float[] src, int from, double[] dst, int count) {
        boolean finite = true;
        for (int i = 0; i < count; i++) {
            float v = src[from + i];
            finite &= Float.isFinite(v);
            dst[i] = v;
        }
        return finite;
    }
}
