#!/usr/bin/python3
"""Writes linalg_torch.txt: torch.linalg results (float64) the linalg ops are checked against.

Run with Debian's python3-torch: /usr/bin/python3 make_fixtures.py (from this folder).
One case a line: name op | A dims : values | B dims : values (or -) | out dims : values.
Inputs are float32-representable, so the f32 backends see the same matrices. eigh and svd vectors
are normalised as JASG does (each eigenvector / u_i has its largest-magnitude entry positive; v_i
flips with u_i), because LAPACK leaves their signs to the algorithm; QR is kept as LAPACK returns it.
"""
import torch

torch.manual_seed(21)
lines = []


def f32(*shape):
    return torch.rand(*shape, dtype=torch.float32).mul(2).sub(1).double()


def rep(t):
    """t rounded to float32 values (held in float64)."""
    return t.float().double()


def flat(t):
    return ",".join(str(d) for d in t.shape) + " : " + " ".join(repr(float(v)) for v in t.reshape(-1))


def add(name, op, a, out, b=None):
    lines.append(f"{name} {op} | {flat(a)} | {flat(b) if b is not None else '-'} | {flat(out)}")


def sign_columns(x, partner=None):
    idx = x.abs().argmax(dim=-2, keepdim=True)
    s = torch.sign(torch.gather(x, -2, idx))
    x = x * s
    return (x, partner * s) if partner is not None else x


eye = torch.eye
for name, shape in [("3x3", (3, 3)), ("batch2x4x4", (2, 4, 4))]:
    a = rep(f32(*shape) + 3 * eye(shape[-1], dtype=torch.float64))
    b = f32(*shape[:-1], 2)
    add(f"solve_{name}", "SOLVE", a, torch.linalg.solve(a, b), b)
    add(f"inv_{name}", "INV", a, torch.linalg.inv(a))
    add(f"det_{name}", "DET", a, torch.linalg.det(a))
    n = rep(a - 6 * eye(shape[-1], dtype=torch.float64))  # negative determinants too
    sign, logabs = torch.linalg.slogdet(n)
    add(f"slogdet_sign_{name}", "SLOGDET_SIGN", n, sign)
    add(f"slogdet_logabs_{name}", "SLOGDET_LOGABS", n, logabs)
    x = f32(*shape)
    spd = (x @ x.mT + eye(shape[-1], dtype=torch.float64)).float().double()
    spd_lower_only = rep(spd.tril() + 7 * f32(*shape).triu(1))  # the upper triangle must be ignored
    add(f"cholesky_{name}", "CHOLESKY", spd_lower_only, torch.linalg.cholesky(spd))
    sym = f32(*shape)
    w, v = torch.linalg.eigh(sym)  # reads the lower triangle, as JASG
    add(f"eigvalsh_{name}", "EIGH_VALUES", sym, w)
    add(f"eigh_vectors_{name}", "EIGH_VECTORS", sym, sign_columns(v))
for name, shape in [("tall5x3", (5, 3)), ("square3x3", (3, 3)), ("wide3x5", (3, 5)), ("batch2x4x3", (2, 4, 3)), ("batch2x3x4", (2, 3, 4))]:
    a = f32(*shape)
    q, r = torch.linalg.qr(a)
    add(f"qr_q_{name}", "QR_Q", a, q)
    add(f"qr_r_{name}", "QR_R", a, r)
    u, s, vh = torch.linalg.svd(a, full_matrices=False)
    u, v = sign_columns(u, vh.mT)
    add(f"svd_u_{name}", "SVD_U", a, u)
    add(f"svd_s_{name}", "SVD_S", a, s)
    add(f"svd_vh_{name}", "SVD_VH", a, v.mT)

with open("linalg_torch.txt", "w") as f:
    f.write(f"# torch {torch.__version__}, written by make_fixtures.py\n")
    f.write("\n".join(lines) + "\n")
