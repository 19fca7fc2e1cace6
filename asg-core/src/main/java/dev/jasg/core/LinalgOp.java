package dev.jasg.core;

/**
 * The dense linear-algebra functions of {@link Op.Linalg}, each on the last two axes {@code [.., m, n]} of
 * its input (the leading axes are a batch, every matrix on its own). The graph is single-output, so a
 * decomposition with several results is one op per result ({@link #QR_Q} and {@link #QR_R} of one input
 * are two nodes; each backend computes the factorisation for each, and the gradient of one is the
 * factorisation's VJP with the others' upstream gradients zero, which sums to the full VJP).
 *
 * <p>Conventions (those of {@code torch.linalg} where PyTorch fixes one):
 * <ul>
 *   <li>{@link #CHOLESKY} and the {@code EIGH_*} ops read the lower triangle only (PyTorch's default
 *       {@code UPLO='L'}); the upper triangle is ignored, so its gradient is zero.
 *   <li>{@link #QR_Q}/{@link #QR_R}: the reduced factorisation ({@code mode='reduced'}), {@code k = min(m, n)},
 *       with LAPACK's Householder signs: {@code R[j,j] = -sign(a) |x|} for the column {@code x} the
 *       {@code j}-th reflector annihilates and {@code a} its first element, which is what
 *       {@code torch.linalg.qr} returns. The gradient is defined for {@code m >= n}.
 *   <li>{@code EIGH_*}: eigenvalues ascending; each eigenvector is scaled so that its entry of largest
 *       magnitude is positive (LAPACK and PyTorch leave the sign to the algorithm; this normalisation
 *       makes every backend agree). With repeated eigenvalues the eigenvectors are any orthonormal basis
 *       of the eigenspace and their gradient is undefined (infinite), as in PyTorch.
 *   <li>{@code SVD_*}: the reduced factorisation ({@code full_matrices=False}), singular values
 *       descending, each pair {@code (u_i, v_i)} signed so that the largest-magnitude entry of {@code u_i}
 *       is positive. The gradient of {@code U} and {@code Vh} needs distinct non-zero singular values
 *       (as in PyTorch); that of the singular values alone is always defined.
 *   <li>{@link #SOLVE} and {@link #INV} of a singular matrix (an exactly zero pivot of partial-pivoting LU,
 *       LAPACK's test) throw {@link LinalgException}, as {@code torch.linalg.solve}/{@code inv} raise;
 *       {@link #CHOLESKY} of a matrix that is not positive-definite throws it too. {@link #DET} of a
 *       singular matrix is 0 and {@link #SLOGDET_LOGABS} is {@code -inf} with sign 0.
 *   <li>A matrix holding a NaN or an infinity gives NaN in every element of its results (and no error).
 * </ul>
 *
 * <p>Immutable, so thread-safe.
 */
public enum LinalgOp {
    /** {@code torch.linalg.solve(A, B)}: {@code X} with {@code A X = B}; {@code A [.., n, n]}, {@code B [.., n, k]}, same batch. */
    SOLVE("solve", 2),
    /** {@code torch.linalg.inv(A)}: {@code A^-1}. */
    INV("inv", 1),
    /** {@code torch.linalg.det(A)}: {@code [.., n, n] -> [..]}. */
    DET("det", 1),
    /** The sign of {@code torch.linalg.slogdet(A)}: -1, 0 or 1 ({@code [..]}); piecewise constant, no gradient. */
    SLOGDET_SIGN("slogdet_sign", 1),
    /** The {@code logabsdet} of {@code torch.linalg.slogdet(A)}: {@code log |det A|} ({@code [..]}). */
    SLOGDET_LOGABS("slogdet_logabsdet", 1),
    /** {@code torch.linalg.cholesky(A)}: lower {@code L} with {@code L L^T = A}, for symmetric positive-definite {@code A}. */
    CHOLESKY("cholesky", 1),
    /** {@code Q} of {@code torch.linalg.qr(A)}: {@code [.., m, k]} with orthonormal columns. */
    QR_Q("qr_q", 1),
    /** {@code R} of {@code torch.linalg.qr(A)}: {@code [.., k, n]}, upper triangular. */
    QR_R("qr_r", 1),
    /** {@code torch.linalg.eigvalsh(A)}: the eigenvalues of symmetric {@code A}, ascending ({@code [.., n]}). */
    EIGH_VALUES("eigh_values", 1),
    /** The eigenvectors of {@code torch.linalg.eigh(A)}: column {@code i} belongs to eigenvalue {@code i} ({@code [.., n, n]}). */
    EIGH_VECTORS("eigh_vectors", 1),
    /** {@code U} of {@code torch.linalg.svd(A, full_matrices=False)}: {@code [.., m, k]}. */
    SVD_U("svd_u", 1),
    /** {@code torch.linalg.svdvals(A)}: singular values, descending ({@code [.., k]}). */
    SVD_S("svd_s", 1),
    /** {@code Vh} of {@code torch.linalg.svd(A, full_matrices=False)}: {@code [.., k, n]}. */
    SVD_VH("svd_vh", 1);

    private final String label;
    private final int arity;

    LinalgOp(String label, int arity) {
        this.label = label;
        this.arity = arity;
    }

    /** The name in listings, e.g. {@code cholesky}. */
    public String label() {
        return label;
    }

    /** Number of inputs: 2 for {@link #SOLVE}, else 1. */
    public int arity() {
        return arity;
    }
}
