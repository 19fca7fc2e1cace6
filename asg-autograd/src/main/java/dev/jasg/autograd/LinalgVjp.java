package dev.jasg.autograd;

import dev.jasg.core.Linalg;
import dev.jasg.core.LinalgOp;
import dev.jasg.core.Tensor;

/**
 * The VJPs of {@link LinalgOp} (real matrices), the standard matrix-calculus results written with the
 * {@link Tensor} API. A decomposition is one node per result, so the rule of one result recomputes the
 * others it needs (a sibling node of the same input) and uses the factorisation's VJP with the other
 * upstream gradients zero; the contributions of all results sum to the full VJP.
 *
 * <p>Ops reading only the lower triangle (cholesky, eigh) first find the gradient {@code G} for a
 * symmetric perturbation and then give each stored element its share: {@code tril(G + G^T, -1) + diag(G)},
 * zero above the diagonal. PyTorch returns the symmetric {@code (G + G^T)/2} instead; both give the same
 * gradient to anything that builds the matrix symmetric (the usual case, e.g. {@code X X^T + c I}).
 */
final class LinalgVjp {
    private LinalgVjp() {}

    static Tensor[] contributions(LinalgOp op, Tensor[] in, Tensor y, Tensor g, boolean[] need) {
        Tensor a = in[0];
        return switch (op) {
            case SOLVE -> {
                // X = A^-1 B: gB = A^-T g, gA = -gB X^T
                Tensor gb = Linalg.solve(a.mT(), g);
                yield new Tensor[] {need[0] ? gb.matmul(y.mT()).neg() : null, need[1] ? gb : null};
            }
            // Y = A^-1: gA = -Y^T g Y^T
            case INV -> one(y.mT().matmul(g).matmul(y.mT()).neg());
            // d det A = det A tr(A^-1 dA): gA = g det(A) A^-T
            case DET -> one(scalarPerMatrix(g.mul(y)).mul(Linalg.inv(a).mT()));
            // d log|det A| = tr(A^-1 dA): gA = g A^-T
            case SLOGDET_LOGABS -> one(scalarPerMatrix(g).mul(Linalg.inv(a).mT()));
            case SLOGDET_SIGN -> new Tensor[] {null}; // piecewise constant (isDifferentiable is false)
            case CHOLESKY -> {
                // G = L^-T Phi(L^T gL) L^-1, Phi(X) = sym(tril(X)) with half the diagonal (Murray 2016)
                Tensor p = y.mT().matmul(g).tril();
                Tensor phi = p.add(p.tril(-1).mT()).mul(0.5);
                Tensor left = Linalg.solve(y.mT(), phi);
                Tensor sym = Linalg.solve(y.mT(), left.mT()).mT();
                yield one(lowerShare(sym));
            }
            case QR_Q, QR_R -> {
                int m = a.shape().dim(a.rank() - 2), n = a.shape().dim(a.rank() - 1);
                if (m < n) {
                    throw new GradientException("linalg.qr: the gradient is defined for m >= n (tall or square A), got " + a.shape()
                            + " at node " + y.id());
                }
                Linalg.QR qr = op == LinalgOp.QR_Q ? new Linalg.QR(y, Linalg.qr(a).r()) : new Linalg.QR(Linalg.qr(a).q(), y);
                Tensor q = qr.q(), r = qr.r();
                // M = R gR^T - gQ^T Q; gA = (gQ + Q copyltu(M)) R^-T (Walter & Lehmann; Liao et al. 2019)
                Tensor mm = op == LinalgOp.QR_R ? r.matmul(g.mT()) : g.mT().matmul(q).neg();
                Tensor copyltu = mm.tril().add(mm.tril(-1).mT());
                Tensor x = q.matmul(copyltu);
                if (op == LinalgOp.QR_Q) x = x.add(g);
                yield one(Linalg.solve(r, x.mT()).mT());
            }
            case EIGH_VALUES, EIGH_VECTORS -> {
                Tensor w = op == LinalgOp.EIGH_VALUES ? y : Linalg.eigvalsh(a);
                Tensor v = op == LinalgOp.EIGH_VECTORS ? y : Linalg.eigh(a).eigenvectors();
                // G = V (diag(gw) + F o (V^T gV)) V^T, F_ij = 1/(w_j - w_i) off the diagonal
                Tensor inner = op == LinalgOp.EIGH_VALUES ? Linalg.diagEmbed(g) : offDiagonalInverse(w.unsqueeze(-2).sub(w.unsqueeze(-1))).mul(v.mT().matmul(g));
                yield one(lowerShare(v.matmul(inner).matmul(v.mT())));
            }
            case SVD_U, SVD_S, SVD_VH -> {
                Tensor u = op == LinalgOp.SVD_U ? y : Linalg.svd(a).u();
                Tensor s = op == LinalgOp.SVD_S ? y : Linalg.svdvals(a);
                Tensor vh = op == LinalgOp.SVD_VH ? y : Linalg.svd(a).vh();
                Tensor sRow = s.unsqueeze(-2), sCol = s.unsqueeze(-1);
                // F_ij = 1/(s_j^2 - s_i^2) off the diagonal (Townsend 2016)
                Tensor s2 = s.square();
                Tensor f = op == LinalgOp.SVD_S ? null : offDiagonalInverse(s2.unsqueeze(-2).sub(s2.unsqueeze(-1)));
                Tensor ga = switch (op) {
                    // gA = U diag(gS) Vh
                    case SVD_S -> u.mul(g.unsqueeze(-2)).matmul(vh);
                    case SVD_U -> {
                        // gA = U (J + J^T) S Vh + (I - U U^T) gU S^-1 Vh, J = F o (U^T gU)
                        Tensor utg = u.mT().matmul(g);
                        Tensor j = f.mul(utg);
                        Tensor core = u.matmul(j.add(j.mT()).mul(sRow));
                        yield core.add(g.sub(u.matmul(utg)).div(sRow)).matmul(vh);
                    }
                    case SVD_VH -> {
                        // with gV = g^T: gA = U S (K + K^T) Vh + U S^-1 gV^T (I - V V^T), K = F o (V^T gV)
                        Tensor vtgv = vh.matmul(g.mT());
                        Tensor k = f.mul(vtgv);
                        Tensor core = sCol.mul(k.add(k.mT())).matmul(vh);
                        Tensor rest = g.sub(g.matmul(vh.mT()).matmul(vh)).div(sCol);
                        yield u.matmul(core.add(rest));
                    }
                    case SOLVE, INV, DET, SLOGDET_SIGN, SLOGDET_LOGABS, CHOLESKY, QR_Q, QR_R, EIGH_VALUES, EIGH_VECTORS -> throw new AssertionError(op);
                };
                yield one(ga);
            }
        };
    }

    /** The gradient of the stored lower triangle from the gradient {@code G} for symmetric perturbations. */
    private static Tensor lowerShare(Tensor g) {
        return g.add(g.mT()).tril(-1).add(Linalg.diagEmbed(Linalg.diagonal(g)));
    }

    /** {@code 1/e} off the diagonal and 0 on it. */
    private static Tensor offDiagonalInverse(Tensor e) {
        int n = e.shape().dim(e.rank() - 1);
        return Tensor.where(Linalg.eyeMask(e.builder(), n), e.scalarLike(0), e.reciprocal());
    }

    /** A per-matrix scalar {@code [..]} as {@code [.., 1, 1]}. */
    private static Tensor scalarPerMatrix(Tensor t) {
        return t.unsqueeze(-1).unsqueeze(-1);
    }

    private static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }
}
