# Prints the rows of asg-testkit/src/main/java/dev/jasg/testkit/TorchElementwiseValues.java (issue 14):
# PyTorch float32 results of the elementwise functions at their tricky arguments.
# Run: /usr/bin/python3 make_elementwise_values.py   (Debian python3-torch 1.13)
import torch, math
f = lambda v: torch.tensor(v, dtype=torch.float32)
inf, nan = math.inf, math.nan
def lit(v):
    if math.isnan(v): return "NaN"
    if v == inf: return "INF"
    if v == -inf: return "-INF"
    return repr(float(v))
def arr(vals): return "{" + ", ".join(lit(v) for v in vals) + "}"
def out(t): return arr(t.double().tolist())
rows = []
def row(name, body, inputs, expected, exact):
    ins = ", ".join("new double[] " + arr(i) for i in inputs)
    rows.append(f'        r.add(new Case("{name}", {body}, List.of({ins}),\n                new double[] {out(expected)}, {"true" if exact else "false"}));')
R = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999997, -0.49999997, 2.4999998, 8388609.0, -0.4, 1e30]
row("round: halves to even, no floor(x + 0.5) error", "a -> a.get(0).round()", [R], torch.round(f(R)), True)
A = [5., -5., 5., -5., 1.0, -4.0, 5.5, 3.0, 7.0, inf, -7.25, 1e10]
B = [3., 3., -3., -3., 0.1, 2.0, 0.0, inf, -inf, 1.0, 0.5, 3.0]
row("fmod: sign of the dividend, exact", "a -> a.get(0).fmod(a.get(1))", [A, B], torch.fmod(f(A), f(B)), True)
row("remainder: sign of the divisor", "a -> a.get(0).remainder(a.get(1))", [A, B], torch.remainder(f(A), f(B)), True)
Y = [0., -0., 0., -0., 1., 1., -1., -1., 0., 1., inf, -inf, inf, 1., -2., 3.]
X = [0., 0., -0., -0., 1., -1., 1., -1., -1., 0., inf, inf, -inf, -inf, 0.5, -inf]
row("atan2: quadrants, signed zeros, infinities", "a -> a.get(0).atan2(a.get(1))", [Y, X], torch.atan2(f(Y), f(X)), False)
N = [nan, inf, -inf, 1.5, -0.0]
row("nan_to_num defaults: f32 extremes", "a -> a.get(0).nanToNum()", [N], torch.nan_to_num(f(N)), True)
row("nan_to_num nan=2 posinf=1", "a -> a.get(0).nanToNum(2, 1.0, null)", [N], torch.nan_to_num(f(N), nan=2.0, posinf=1.0), True)
H1 = [3e30, 3e-30, 2e38, 0., 3., -5., inf, -inf, 0.]
H2 = [4e30, -4e-30, 1e38, 0., -4., 12., 2., 0., -7.]
row("hypot: no overflow or underflow", "a -> a.get(0).hypot(a.get(1))", [H1, H2], torch.hypot(f(H1), f(H2)), False)
S = [1., 0., -2., 1e8, 3., -1.]
E = [3., 1., 5., 1., 3., 7.]
W = [0.5, 1.0, 0.25, 0.9, -0.3, 1.7]
row("lerp, tensor weight", "a -> a.get(0).lerp(a.get(1), a.get(2))", [S, E, W], torch.lerp(f(S), f(E), f(W)), False)
row("lerp, weight 1 gives the end exactly", "a -> a.get(0).lerp(a.get(1), 1.0)", [S, E], torch.lerp(f(S), f(E), 1.0), True)
row("lerp, weight 0.3", "a -> a.get(0).lerp(a.get(1), 0.3)", [S, E], torch.lerp(f(S), f(E), 0.3), False)
M = [nan, inf, -inf, 0., -1e38, 1.]
row("isnan", "a -> a.get(0).isnan()", [M], torch.isnan(f(M)), True)
row("isinf", "a -> a.get(0).isinf()", [M], torch.isinf(f(M)), True)
row("isfinite", "a -> a.get(0).isfinite()", [M], torch.isfinite(f(M)), True)
F = [-2.5, 2.25, inf, -0.0, -0.75, 1e7 + 0.5]
for n in ["frac", "trunc", "ceil", "floor"]:
    row(n, f"a -> a.get(0).{n}()", [F], getattr(torch, n)(f(F)), True)
U = [-1., 1., 0.5, -0.25, 0., 1.5]
for n in ["asin", "acos", "atanh"]:
    row(n + ": ends of the domain", f"a -> a.get(0).{n}()", [U], getattr(torch, n)(f(U)), False)
V = [1., 1.5, 10., 1e4, 0.5, inf, 3e38]
row("acosh, up to the largest floats", "a -> a.get(0).acosh()", [V], torch.acosh(f(V)), False)
Z = [-3., -1e-4, 0.5, 2., 20., -inf, 1e20, -3e38]
for n in ["sinh", "cosh", "asinh", "atan", "log2", "log10", "exp2"]:
    row(n, f"a -> a.get(0).{n}()", [Z], getattr(torch, n)(f(Z)), False)
row("tan", "a -> a.get(0).tan()", [Z[:6]], torch.tan(f(Z[:6])), False)
P = [8., 0.25, 1024., 3., -2., 10.]
row("log2 of powers of two", "a -> a.get(0).log2()", [P[:3]], torch.log2(f(P[:3])), False)
row("exp2 of integers", "a -> a.get(0).exp2()", [P[3:]], torch.exp2(f(P[3:])), False)
G = [-1.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.2, 4.0, 9.0]
ones = torch.ones(len(G))
row("gelu derivative: gelu_backward with a unit gradient", "a -> a.get(0).geluDerivative()", [G], torch.ops.aten.gelu_backward(ones, f(G)), False)
row("gelu tanh derivative: gelu_backward(approximate='tanh')", "a -> a.get(0).geluDerivative(\"tanh\")", [G],
    torch.ops.aten.gelu_backward(ones, f(G), approximate="tanh"), False)
print("\n".join(rows))
