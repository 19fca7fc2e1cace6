package dev.jasg.core;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.linalg} on symbolic tensors: solve, inverse, determinants, Cholesky, QR, symmetric
 * eigendecomposition and SVD, each over the last two axes with the leading axes a batch. The graph's
 * nodes have one output each, so a decomposition returns a small record of tensors, one node per result
 * ({@link Op.Linalg}, whose {@link LinalgOp} documents shapes, sign conventions, singular and degenerate
 * cases). The CPU backend computes them with EJML, the reference interpreter with plain double-precision
 * loops, GPU backends on the host. Stateless and thread-safe (the builders it writes to are not).
 */
public final class Linalg {
    private Linalg() {}

    /** {@code torch.linalg.slogdet}: {@code det A = sign * exp(logabsdet)}. */
    public record Slogdet(Tensor sign, Tensor logabsdet) {}

    /** {@code torch.linalg.qr(A)} (reduced): {@code A = Q R}. */
    public record QR(Tensor q, Tensor r) {}

    /** {@code torch.linalg.eigh(A)}: {@code A = V diag(w) V^T}, eigenvalues ascending. */
    public record Eigh(Tensor eigenvalues, Tensor eigenvectors) {}

    /** {@code torch.linalg.svd(A, full_matrices=False)}: {@code A = U diag(S) Vh}. */
    public record SVD(Tensor u, Tensor s, Tensor vh) {}

    /**
     * {@code torch.linalg.solve(A, B)}: {@code X} with {@code A X = B}. {@code B} is {@code [.., n, k]}, or a
     * vector {@code [n]} / {@code [.., n]} (when its shape is {@code A}'s without the last axis), giving a
     * vector; batch axes broadcast. A singular {@code A} throws {@link LinalgException} when run.
     */
    public static Tensor solve(Tensor a, Tensor b) {
        boolean vector = b.rank() == 1 || (b.rank() == a.rank() - 1 && sameParts(b.shape(), a.shape(), a.rank() - 1));
        Tensor rhs = vector ? b.unsqueeze(-1) : b;
        Shape batch = ShapeRules.broadcast("linalg.solve", batchOf(a.shape()), batchOf(rhs.shape()));
        Tensor x = op(LinalgOp.SOLVE, withBatch(a, batch), withBatch(rhs, batch));
        return vector ? x.squeeze(-1) : x;
    }

    /** {@code torch.linalg.inv(A)}; a singular {@code A} throws {@link LinalgException} when run. */
    public static Tensor inv(Tensor a) {
        return op(LinalgOp.INV, a);
    }

    /** {@code torch.linalg.det(A)}: {@code [.., n, n] -> [..]}. */
    public static Tensor det(Tensor a) {
        return op(LinalgOp.DET, a);
    }

    /** {@code torch.linalg.slogdet(A)}: sign (-1, 0, 1) and {@code log |det A|}. */
    public static Slogdet slogdet(Tensor a) {
        return new Slogdet(op(LinalgOp.SLOGDET_SIGN, a), op(LinalgOp.SLOGDET_LOGABS, a));
    }

    /** {@code torch.logdet(A)}: {@code log det A}, NaN where the determinant is negative. */
    public static Tensor logdet(Tensor a) {
        Slogdet s = slogdet(a);
        return Tensor.where(s.sign().lt(0), s.sign().scalarLike(Double.NaN), s.logabsdet());
    }

    /** {@code torch.linalg.cholesky(A)}: lower {@code L}, {@code L L^T = A}, reading the lower triangle of {@code A}. */
    public static Tensor cholesky(Tensor a) {
        return op(LinalgOp.CHOLESKY, a);
    }

    /** {@code torch.linalg.qr(A)}, reduced, with LAPACK's signs (see {@link LinalgOp#QR_Q}). */
    public static QR qr(Tensor a) {
        return new QR(op(LinalgOp.QR_Q, a), op(LinalgOp.QR_R, a));
    }

    /** {@code torch.linalg.eigh(A)}, reading the lower triangle; eigenvector signs normalised (see {@link LinalgOp}). */
    public static Eigh eigh(Tensor a) {
        return new Eigh(op(LinalgOp.EIGH_VALUES, a), op(LinalgOp.EIGH_VECTORS, a));
    }

    /** {@code torch.linalg.eigvalsh(A)}: the eigenvalues of symmetric {@code A}, ascending. */
    public static Tensor eigvalsh(Tensor a) {
        return op(LinalgOp.EIGH_VALUES, a);
    }

    /** {@code torch.linalg.svd(A, full_matrices=False)}; signs normalised (see {@link LinalgOp#SVD_U}). */
    public static SVD svd(Tensor a) {
        return new SVD(op(LinalgOp.SVD_U, a), op(LinalgOp.SVD_S, a), op(LinalgOp.SVD_VH, a));
    }

    /** {@code torch.linalg.svdvals(A)}: singular values, descending. */
    public static Tensor svdvals(Tensor a) {
        return op(LinalgOp.SVD_S, a);
    }

    /** {@code torch.diagonal(x, 0, -2, -1)}: {@code [.., n, n] -> [.., n]}. */
    public static Tensor diagonal(Tensor x) {
        int n = square("diagonal", x);
        return Tensor.where(eyeMask(x.builder(), n), x, x.scalarLike(0)).sum(-1);
    }

    /** {@code torch.diag_embed(v)}: {@code [.., n] -> [.., n, n]} with {@code v} on the diagonal. */
    public static Tensor diagEmbed(Tensor v) {
        int n = v.shape().dim(v.rank() - 1);
        return Tensor.where(eyeMask(v.builder(), n), v.unsqueeze(-1), v.scalarLike(0));
    }

    /** The {@code n x n} identity in {@code dtype}, a constant. */
    public static Tensor eye(GraphBuilder b, int n, DType dtype) {
        float[] d = new float[n * n];
        for (int i = 0; i < n; i++) d[i * n + i] = 1;
        return b.constant(HostTensor.of(dtype, Shape.of(n, n), d));
    }

    /** A BOOL {@code n x n} constant, true on the diagonal. */
    public static Tensor eyeMask(GraphBuilder b, int n) {
        return eye(b, n, DType.BOOL);
    }

    private static int square(String name, Tensor x) {
        Shape s = x.shape();
        if (s.rank() < 2 || s.isSymbolic(s.rank() - 1) || s.isSymbolic(s.rank() - 2) || s.dim(s.rank() - 1) != s.dim(s.rank() - 2)) {
            throw new ShapeException(name + ": needs square matrices [.., n, n] with a concrete n, got " + s + " at node " + x.id());
        }
        return s.dim(s.rank() - 1);
    }

    private static Tensor op(LinalgOp kind, Tensor... in) {
        return in[0].builder().apply(new Op.Linalg(kind), in);
    }

    private static Shape batchOf(Shape s) {
        return Shape.symbolic(s.parts().subList(0, Math.max(0, s.rank() - 2)).toArray());
    }

    private static boolean sameParts(Shape a, Shape b, int rank) {
        for (int i = 0; i < rank; i++) if (!a.sameDim(i, b, i)) return false;
        return true;
    }

    private static Tensor withBatch(Tensor t, Shape batch) {
        if (t.rank() < 2) return t;
        List<Object> parts = new ArrayList<>(batch.parts());
        parts.add(t.shape().parts().get(t.rank() - 2));
        parts.add(t.shape().parts().get(t.rank() - 1));
        return t.broadcastTo(Shape.symbolic(parts.toArray()));
    }
}
