#!/usr/bin/python3
"""Writes fused_attention_fixtures.json: scaled dot-product attention without a mask, causal or not.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 make_fused_attention_fixtures.py
torch 1.13 has no torch.nn.functional.scaled_dot_product_attention, so this computes what it defines:
softmax(q k^T * scale + causal) v, scale = 1/sqrt(E) unless given, the causal mask keeping key j for
query i when j <= i (torch.ones(Lq, Lk).tril(), top-left aligned as is_causal). In float64, with the
gradients of sum(o * w) by autograd. Inputs are rounded to 4 decimals (so the JSON holds them exactly);
results to 10 significant decimals.
"""
import json
import math
import os

import torch

torch.manual_seed(2026)


def rounded(t):
    return torch.round(t.double() * 1e4) / 1e4


def rand(*shape):
    return rounded(torch.rand(*shape, dtype=torch.float64) * 2 - 1)


def flat(t):
    return [round(v, 10) for v in t.detach().reshape(-1).tolist()]


def tensor(t):
    return {"shape": list(t.shape), "data": flat(t)}


def attention(q, k, v, causal, scale):
    s = q @ k.transpose(-2, -1) * scale
    if causal:
        lq, lk = q.shape[-2], k.shape[-2]
        keep = torch.ones(lq, lk, dtype=torch.bool).tril()
        s = s.masked_fill(~keep, float("-inf"))
    return torch.softmax(s, dim=-1) @ v


# name, q shape, k shape, v shape, causal, scale (None: 1/sqrt(E))
CASES = [
    ("batched, Ev 6 != E 4", [2, 3, 4], [2, 5, 4], [2, 5, 6], False, None),
    ("causal Lq 5 > Lk 3, rank 4, scale 0.3", [1, 2, 5, 4], [1, 2, 3, 4], [1, 2, 3, 2], True, 0.3),
    ("causal Lq 3 < Lk 6", [2, 3, 2], [2, 6, 2], [2, 6, 3], True, None),
    ("one key, rank 2", [4, 3], [1, 3], [1, 5], False, None),
    ("causal square, rank 4", [2, 2, 4, 3], [2, 2, 4, 3], [2, 2, 4, 3], True, None),
]

out = []
for name, qs, ks, vs, causal, scale in CASES:
    q, k, v = rand(*qs), rand(*ks), rand(*vs)
    w = rand(*(qs[:-1] + vs[-1:]))
    s = scale if scale is not None else 1 / math.sqrt(qs[-1])
    for t in (q, k, v):
        t.requires_grad_(True)
    o = attention(q, k, v, causal, s)
    dq, dk, dv = torch.autograd.grad((o * w).sum(), (q, k, v))
    out.append({"name": name, "causal": causal, "scale": scale, "q": tensor(q), "k": tensor(k), "v": tensor(v), "w": tensor(w),
                "o": tensor(o), "dq": tensor(dq), "dk": tensor(dk), "dv": tensor(dv)})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fused_attention_fixtures.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": out}, f, indent=1)
    f.write("\n")
