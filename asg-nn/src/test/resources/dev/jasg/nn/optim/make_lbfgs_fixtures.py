#!/usr/bin/env python3
"""Writes lbfgs_fixtures.json: torch.optim.LBFGS trajectories. Debian: apt-get install python3-torch; then
  python3 make_lbfgs_fixtures.py   (in this directory)

"rosenbrock*": f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2), the closure evaluating it in float32.
"leastsq*": Linear(3, 1) with fixed weights, mse_loss on 6 samples (what LBFGSFixturesTest trains with a Trainer).
Each case lists, after each step(): the parameters (x, y, or weight then bias), the loss step() returned, and
state["func_evals"], state["n_iter"].
"""
import json
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)


def r(v):
    if isinstance(v, torch.Tensor):
        v = v.tolist()
    if isinstance(v, list):
        return [r(x) for x in v]
    return float("%.9g" % v)


def run(params, loss_fn, opt_args, steps):
    opt = torch.optim.LBFGS(params, **opt_args)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    out = {"args": opt_args, "params": [], "loss": [], "func_evals": [], "n_iter": []}
    for _ in range(steps):
        loss = opt.step(closure)
        st = opt.state[params[0]]
        out["params"].append(r(torch.cat([p.detach().flatten() for p in params])))
        out["loss"].append(r(loss))
        out["func_evals"].append(st["func_evals"])
        out["n_iter"].append(st["n_iter"])
    return out


def rosenbrock(opt_args, steps=5):
    xy = torch.tensor([-1.5, 2.0], requires_grad=True)
    return run([xy], lambda: (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2, opt_args, steps)


LS_X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-0.75, 2.0, 1.0], [1.0, 1.0, 0.0], [0.0, -0.5, 1.5], [2.0, 0.5, -1.0]]
LS_Y = [[1.0], [-0.5], [2.0], [0.25], [1.25], [-1.0]]


def leastsq(opt_args, steps=3):
    lin = torch.nn.Linear(3, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[0.3, -0.2, 0.1]]))
        lin.bias.copy_(torch.tensor([0.05]))
    x, y = torch.tensor(LS_X), torch.tensor(LS_Y)
    return run([lin.weight, lin.bias], lambda: F.mse_loss(lin(x), y), opt_args, steps)


cases = {
    "rosenbrock": rosenbrock(dict(lr=0.05, max_iter=5, history_size=3)),
    "rosenbrock_wolfe": rosenbrock(dict(lr=1, max_iter=5, history_size=3, line_search_fn="strong_wolfe"), steps=4),
    "rosenbrock_wolfe_defaults": rosenbrock(dict(line_search_fn="strong_wolfe"), steps=2),
    "leastsq": leastsq(dict(lr=0.5, max_iter=3, max_eval=10, history_size=2)),
    "leastsq_wolfe": leastsq(dict(lr=1, max_iter=2, max_eval=10, history_size=2, line_search_fn="strong_wolfe")),
}

with open("lbfgs_fixtures.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
