#!/usr/bin/env python3
"""Writes optim_fixtures.json (optimizer trajectories, scheduler sequences) and losses_fixtures.json
(loss values and input gradients) from PyTorch. Debian: apt-get install python3-torch; then
  python3 make_optim_fixtures.py   (in this directory)

Optimizers run 5 steps on the quadratic of OptimizerHarness, loss = sum(a1 w1^2 + b1 w1) + sum(a2 w2^2 + b2 w2),
at a constant learning rate; "traj" holds w1 then w2 after each step. Schedulers list the lr (and the momentum
where cycled) before each of 30 steps.
"""
import json
import math
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
torch.manual_seed(0)

def r(v):
    if isinstance(v, torch.Tensor):
        v = v.tolist()
    if isinstance(v, list):
        return [r(x) for x in v]
    return float("%.9g" % v)

# ---- optimizers -------------------------------------------------------------------------------------
W1, W2 = [0.5, -1.25, 2.0], [-0.75, 1.5]
A1, B1 = torch.tensor([0.5, 1.0, 0.25]), torch.tensor([0.25, -0.5, 1.0])
A2, B2 = torch.tensor([2.0, 0.5]), torch.tensor([-1.0, 0.125])


def nadam_2x(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3, maximize=False):
    """torch 2.x's NAdam; 1.13 multiplies mu twice into mu_product_next (fixed in 2.0)."""
    class NAdam2:
        def __init__(self):
            self.state = [dict(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p), mu_product=1.0) for p in params]

        @torch.no_grad()
        def step(self):
            b1, b2 = betas
            for p, s in zip(params, self.state):
                g = -p.grad if maximize else p.grad
                s["step"] += 1
                t = s["step"]
                bc2 = 1 - b2 ** t
                if weight_decay != 0:
                    g = g.add(p, alpha=weight_decay)
                mu = b1 * (1. - 0.5 * (0.96 ** (t * momentum_decay)))
                mu_next = b1 * (1. - 0.5 * (0.96 ** ((t + 1) * momentum_decay)))
                s["mu_product"] *= mu
                s["m"].lerp_(g, 1 - b1)
                s["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
                denom = s["v"].div(bc2).sqrt().add_(eps)
                p.addcdiv_(g, denom, value=-lr * (1. - mu) / (1. - s["mu_product"]))
                p.addcdiv_(s["m"], denom, value=-lr * mu_next / (1. - s["mu_product"] * mu_next))

        def zero_grad(self):
            for p in params:
                p.grad = None
    return NAdam2()


def trajectory(make, sign=1.0, groups=None):
    w1 = torch.tensor(W1, requires_grad=True)
    w2 = torch.tensor(W2, requires_grad=True)
    opt = make([w1, w2]) if groups is None else make(groups(w1, w2))
    out = []
    for _ in range(5):
        opt.zero_grad()
        loss = (A1 * w1 * w1 + B1 * w1).sum() + (A2 * w2 * w2 + B2 * w2).sum()
        (sign * loss).backward()
        opt.step()
        out.append(r(torch.cat([w1.detach(), w2.detach()])))
    return out


O = torch.optim
optimizers = {
    "adagrad": lambda p: O.Adagrad(p, lr=0.1),
    "adagrad_all": lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6),
    "adadelta": lambda p: O.Adadelta(p),
    "adadelta_all": lambda p: O.Adadelta(p, lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1),
    "adamax": lambda p: O.Adamax(p, lr=0.1),
    "adamax_all": lambda p: O.Adamax(p, lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1),
    "nadam": lambda p: nadam_2x(p, lr=0.1),
    "nadam_all": lambda p: nadam_2x(p, lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, momentum_decay=0.1),
    "radam": lambda p: O.RAdam(p, lr=0.1),
    "radam_all": lambda p: O.RAdam(p, lr=0.1, betas=(0.8, 0.6), eps=1e-3, weight_decay=0.1),
    "rprop": lambda p: O.Rprop(p, lr=0.1),
    "rprop_all": lambda p: O.Rprop(p, lr=0.3, etas=(0.3, 1.5), step_sizes=(0.05, 0.4)),
    "asgd": lambda p: O.ASGD(p, lr=0.1),
    "asgd_all": lambda p: O.ASGD(p, lr=0.1, lambd=0.5, alpha=0.5, t0=2, weight_decay=0.1),
    "adam_amsgrad": lambda p: O.Adam(p, lr=0.1, amsgrad=True),
    "adamw_amsgrad": lambda p: O.AdamW(p, lr=0.1, amsgrad=True, weight_decay=0.1),
    "rmsprop_centered": lambda p: O.RMSprop(p, lr=0.01, centered=True, momentum=0.5, weight_decay=0.1),
    "sgd_maximize": lambda p: O.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True),
    "adam_maximize": lambda p: O.Adam(p, lr=0.1, weight_decay=0.1, maximize=True),
    "adagrad_maximize": lambda p: O.Adagrad(p, lr=0.1, maximize=True),
    "adadelta_maximize": lambda p: O.Adadelta(p, maximize=True),
    "adamax_maximize": lambda p: O.Adamax(p, lr=0.1, maximize=True),
    "rprop_maximize": lambda p: O.Rprop(p, lr=0.1, maximize=True),
    "asgd_maximize": lambda p: O.ASGD(p, lr=0.1, maximize=True),
    "nadam_maximize": lambda p: nadam_2x(p, lr=0.1, maximize=True),
}
optim_out = {}
for name, make in optimizers.items():
    if name in ("radam_maximize",):
        continue
    optim_out[name] = trajectory(make)
# torch 1.13's RAdam has no maximize: maximizing f is minimizing -f (the gradient is negated first)
optim_out["radam_maximize"] = trajectory(lambda p: O.RAdam(p, lr=0.1, weight_decay=0.1), sign=-1.0)
# parameter groups: w2 (a "bias") without weight decay and at half the rate
optim_out["adamw_groups"] = trajectory(lambda g: O.AdamW(g, lr=0.1, weight_decay=0.5),
                                        groups=lambda w1, w2: [{"params": [w1]}, {"params": [w2], "weight_decay": 0.0, "lr": 0.05}])
optim_out["sgd_groups"] = trajectory(lambda g: O.SGD(g, lr=0.1, momentum=0.9),
                                      groups=lambda w1, w2: [{"params": [w1], "momentum": 0.5, "nesterov": True}, {"params": [w2]}])

# ---- schedulers -------------------------------------------------------------------------------------
S = torch.optim.lr_scheduler


def sequence(make, opt_make=lambda p: O.SGD(p, lr=0.1, momentum=0.9), metrics=None, n=30):
    w = torch.zeros(1, requires_grad=True)
    opt = opt_make([w])
    sched = make(opt)
    lrs, moms = [], []
    for i in range(n):
        g = opt.param_groups[0]
        lrs.append(r(g["lr"]))
        moms.append(r(g["betas"][0] if "betas" in g else g["momentum"]))
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
    return {"lr": lrs, "momentum": moms}


plateau_metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.94, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5,
                   0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4]
sched_out = {
    "multistep": sequence(lambda o: S.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.5)),
    "lambda": sequence(lambda o: S.LambdaLR(o, lambda e: 1.0 / (1 + e))),
    "multiplicative": sequence(lambda o: S.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 0.95)),
    "linear": sequence(lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8)),
    "constant": sequence(lambda o: S.ConstantLR(o, factor=0.5, total_iters=4)),
    "polynomial": sequence(lambda o: S.PolynomialLR(o, total_iters=20, power=2.0)),
    "warm_restarts": sequence(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.01)),
    "warm_restarts_1": sequence(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=7)),
    "cyclic_triangular": sequence(lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=6)),
    "cyclic_triangular2": sequence(lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, mode="triangular2",
                                                        base_momentum=0.7, max_momentum=0.95)),
    "cyclic_exp_range": sequence(lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range",
                                                      gamma=0.9, cycle_momentum=False)),
    "plateau_min_rel": sequence(lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5, threshold=0.01, cooldown=1, min_lr=0.02),
                                metrics=plateau_metrics),
    "plateau_max_abs": sequence(lambda o: S.ReduceLROnPlateau(o, mode="max", patience=1, factor=0.3, threshold=0.05,
                                                              threshold_mode="abs"), metrics=[-m for m in plateau_metrics]),
    "sequential": sequence(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                                        S.ExponentialLR(o, gamma=0.9)], milestones=[5])),
    "chained": sequence(lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=6), S.ExponentialLR(o, gamma=0.95)])),
    "onecycle_cos": sequence(lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=30)),
    "onecycle_linear_three_phase": sequence(lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=30, pct_start=0.25, anneal_strategy="linear",
                                                                   three_phase=True, base_momentum=0.8, max_momentum=0.9)),
    "onecycle_adam": sequence(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=30), opt_make=lambda p: O.Adam(p, lr=0.1)),
}

# ---- momentum schedules through a training loop ------------------------------------------------------
# Linear(2, 1) with fixed weights, MSE on 4 samples, the scheduler stepped after each of 10 steps; "traj" holds
# weight then bias after each step (what the Trainer test compares), "loss" the loss before each update.
CYC_X = [[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [1.0, 1.0]]
CYC_Y = [[1.0], [-0.5], [2.0], [0.25]]
CYC_W, CYC_B = [[0.3, -0.2]], [0.1]


def cycled(opt_make, sched_make, n=10):
    lin = torch.nn.Linear(2, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(CYC_W))
        lin.bias.copy_(torch.tensor(CYC_B))
    opt = opt_make(lin.parameters())
    sched = sched_make(opt)
    x, y = torch.tensor(CYC_X), torch.tensor(CYC_Y)
    traj, losses, moms = [], [], []
    for _ in range(n):
        g = opt.param_groups[0]
        moms.append(r(g["betas"][0] if "betas" in g else g["momentum"]))
        opt.zero_grad()
        loss = F.mse_loss(lin(x), y)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(r(loss))
        traj.append(r(torch.cat([lin.weight.detach().flatten(), lin.bias.detach()])))
    return {"traj": traj, "loss": losses, "momentum": moms}


cycled_out = {
    "sgd_onecycle": cycled(lambda p: O.SGD(p, lr=0.1, momentum=0.9), lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=10)),
    "adam_onecycle": cycled(lambda p: O.Adam(p, lr=0.1), lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=10)),
    "sgd_nesterov_cyclic": cycled(lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                                  lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=3, base_momentum=0.6, max_momentum=0.95)),
}

with open("optim_fixtures.json", "w") as f:
    json.dump({"torch": torch.__version__, "optimizers": optim_out, "schedulers": sched_out, "cycled": cycled_out}, f,
              separators=(",", ":"))
    f.write("\n")

# ---- losses -----------------------------------------------------------------------------------------
torch.manual_seed(0)  # the CTC logits below are drawn from a fresh seed, whatever ran above
losses = {}


def case(name, fn, inputs, grad_of, others=None):
    """fn(*inputs) under the three reductions; the gradient of the sum-reduced loss wrt inputs[i] for i in grad_of."""
    res = {"inputs": [r(x) for x in inputs]}
    for red in ("none", "sum", "mean"):
        xs = [x.clone().requires_grad_(i in grad_of) for i, x in enumerate(inputs)]
        out = fn(*xs, red)
        res[red] = r(out)
        if red != "none":
            out.backward()
            res["grad_" + red] = [r(xs[i].grad) for i in grad_of]
    losses[name] = res


x = torch.tensor([[0.3, -1.2, 2.0], [-0.5, 0.1, 4.0]])
y = torch.tensor([[1.0, -1.0, -1.0], [1.0, 1.0, -1.0]])
case("soft_margin", lambda a, b, red: F.soft_margin_loss(a, b, reduction=red), [x, y], [0])
x4 = torch.tensor([[0.1, 0.2, 0.4, 0.8], [0.5, -0.3, 1.2, 0.0], [-1.0, 2.0, 0.3, 0.7]])
ml_t = torch.tensor([[3, 0, -1, 1], [1, 2, 3, -1], [-1, 1, 2, 0]])
case("multilabel_margin", lambda a, b, red: F.multilabel_margin_loss(a, b.long(), reduction=red), [x4, ml_t.float()], [0])
mls_y = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.0]])
mls_w = torch.tensor([0.5, 1.0, 2.0, 0.25])
case("multilabel_soft_margin", lambda a, b, red: F.multilabel_soft_margin_loss(a, b, reduction=red), [x4, mls_y], [0])
case("multilabel_soft_margin_weight", lambda a, b, w, red: F.multilabel_soft_margin_loss(a, b, weight=w, reduction=red),
     [x4, mls_y, mls_w], [0])
pin = torch.tensor([[0.5, -1.0, 1.5], [2.0, 0.1, -0.3]])
ptg = torch.tensor([[1.0, 0.0, 3.0], [5.0, 0.5, 2.0]])
case("poisson_nll", lambda a, b, red: F.poisson_nll_loss(a, b, reduction=red), [pin, ptg], [0])
case("poisson_nll_full", lambda a, b, red: F.poisson_nll_loss(a, b, full=True, reduction=red), [pin, ptg], [0])
case("poisson_nll_rate", lambda a, b, red: F.poisson_nll_loss(a, b, log_input=False, full=True, eps=1e-3, reduction=red),
     [pin.abs() + 0.05, ptg], [0])
gin = torch.tensor([[0.5, -1.0, 1.5], [2.0, 0.1, -0.3]])
gtg = torch.tensor([[0.0, -0.5, 2.0], [1.0, 0.3, 0.2]])
gvar = torch.tensor([[0.5, 2.0, 1e-8], [1.0, 0.25, 3.0]])
case("gaussian_nll", lambda a, b, v, red: F.gaussian_nll_loss(a, b, v, reduction=red), [gin, gtg, gvar], [0, 2])
case("gaussian_nll_full_eps", lambda a, b, v, red: F.gaussian_nll_loss(a, b, v, full=True, eps=0.1, reduction=red),
     [gin, gtg, gvar], [0, 2])
case("gaussian_nll_var_n", lambda a, b, v, red: F.gaussian_nll_loss(a, b, v, reduction=red),
     [gin, gtg, torch.tensor([0.5, 2.0])], [0, 2])
case("gaussian_nll_var_n1", lambda a, b, v, red: F.gaussian_nll_loss(a, b, v, reduction=red),
     [gin, gtg, torch.tensor([[0.5], [2.0]])], [0, 2])
ta = torch.tensor([[0.1, 0.5, -0.2], [1.0, 0.0, 0.3]])
tp = torch.tensor([[0.2, 0.4, 0.0], [0.2, 0.9, -0.3]])
tn = torch.tensor([[0.1, 0.6, -0.1], [-1.0, 0.5, 0.8]])
cosd = lambda u, v: 1 - (u * v).sum(-1) / ((u * u).sum(-1).sqrt() * (v * v).sum(-1).sqrt())
case("triplet_distance_default", lambda a, p, n, red: F.triplet_margin_with_distance_loss(a, p, n, reduction=red),
     [ta, tp, tn], [0, 1, 2])
case("triplet_distance_cos_swap", lambda a, p, n, red: F.triplet_margin_with_distance_loss(a, p, n, distance_function=cosd,
                                                                                              margin=0.5, swap=True, reduction=red),
     [ta, tp, tn], [0, 1, 2])

# CTC: logits [T=5, N=3, C=4] -> log_softmax; targets padded [N, S=3]; batch 2 has a target too long for its input
logits = torch.randn(5, 3, 4)
ctc_t = torch.tensor([[1, 2, 0], [1, 1, 3], [2, 3, 1]])
for name, il, tl, zi, blank in (("ctc", [5, 4, 5], [2, 3, 3], False, 0), ("ctc_zero_infinity", [5, 4, 2], [2, 3, 3], True, 0),
                                ("ctc_blank3", [5, 5, 3], [2, 1, 1], False, 3)):
    tg = ctc_t if blank == 0 else torch.tensor([[1, 2, 0], [1, 0, 0], [2, 0, 0]])
    def f(lg, t, red, il=il, tl=tl, zi=zi, blank=blank):
        return F.ctc_loss(lg.log_softmax(2), t.long(), torch.tensor(il), torch.tensor(tl), blank=blank, reduction=red, zero_infinity=zi)
    case(name, f, [logits, tg.float()], [0])
    losses[name]["input_lengths"] = il
    losses[name]["target_lengths"] = tl

with open("../loss/losses_fixtures.json", "w") as f:
    json.dump({"torch": torch.__version__, "losses": losses}, f, separators=(",", ":"))
    f.write("\n")
