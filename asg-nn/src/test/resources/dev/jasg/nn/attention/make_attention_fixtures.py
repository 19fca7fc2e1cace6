#!/usr/bin/python3
"""Writes attention_fixtures.json: torch.nn.MultiheadAttention and torch.nn.Transformer values.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 make_attention_fixtures.py
Tiny sizes (E=8, 2 heads, L=3, S=4, N=2). Weights come from torch with a fixed seed, rounded to
4 decimals (so the JSON holds them exactly) and exported by state_dict name; inputs likewise.
Everything is computed in float64 in eval mode (no dropout). Each case records the output, the
attention weights (MHA) and the gradient of sum(output * wsum) with respect to each input.
Outputs are rounded to 7 decimals; float masks may hold -inf, written as -Infinity.
"""
import json
import math
import os

import torch

torch.manual_seed(1234)
E, H, L, S, N = 8, 2, 3, 4, 2


def rounded(t):
    return torch.round(t.double() * 1e4) / 1e4


def flat(t):
    return [v if math.isinf(v) else round(v, 7) for v in t.detach().double().reshape(-1).tolist()]


def tensor(t):
    if t.dtype == torch.bool:
        return {"shape": list(t.shape), "dtype": "bool", "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "dtype": "f32", "data": flat(t)}


def export(module):
    """Rounds the module's weights in place and returns them by state_dict name."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(rounded(p))
    return {k: tensor(v) for k, v in module.state_dict().items()}


def rand(*shape):
    return rounded(torch.rand(*shape) * 2 - 1)


inputs = {
    "q": rand(L, N, E), "k": rand(S, N, E), "v": rand(S, N, E),
    "k5": rand(S, N, 5), "v6": rand(S, N, 6), "wsum": rand(L, N, E),
}
for name in ["q", "k", "v", "wsum"]:
    inputs[name + "_bf"] = inputs[name].transpose(0, 1).contiguous()

kpm = torch.tensor([[False, False, False, True], [False, True, False, False]])
bool_attn = torch.tensor([[False, True, False, False], [False, False, True, False], [True, False, False, False]])
float_attn = rounded(torch.randn(L, S))
float_attn[0, 2] = float('-inf')
bool_attn3 = torch.rand(N * H, L, S) > 0.7
bool_attn3[:, :, 0] = False  # every row keeps a key (PyTorch gives NaN for an empty row, JASG zero)
float_attn3 = rounded(torch.randn(N * H, L, S))

weight_sets = {}
mha_modules = {}
for name, kw in [("std", {}), ("bias_kv", {"add_bias_kv": True}), ("kdim_vdim", {"kdim": 5, "vdim": 6})]:
    torch.manual_seed(7)
    m = torch.nn.MultiheadAttention(E, H, **kw).double().eval()
    weight_sets[name] = export(m)
    mha_modules[name] = kw

# name, weight set, extra options, batch_first, query/key/value input names, kpm, attn mask, average
cases = [
    ("seq_first", "std", {}, False, ("q", "k", "v"), None, None, True),
    ("batch_first", "std", {}, True, ("q_bf", "k_bf", "v_bf"), None, None, True),
    ("per_head", "std", {}, False, ("q", "k", "v"), None, None, False),
    ("bool_masks", "std", {}, False, ("q", "k", "v"), kpm, bool_attn, False),
    ("float_mask", "std", {}, True, ("q_bf", "k_bf", "v_bf"), kpm, float_attn, True),
    ("bool_mask_3d", "std", {}, False, ("q", "k", "v"), None, bool_attn3, False),
    ("float_mask_3d", "std", {}, False, ("q", "k", "v"), kpm, float_attn3, True),
    ("add_bias_kv", "bias_kv", {}, False, ("q", "k", "v"), None, None, False),
    ("add_zero_attn", "std", {"add_zero_attn": True}, False, ("q", "k", "v"), kpm, None, False),
    ("bias_kv_zero_attn_masks", "bias_kv", {"add_zero_attn": True}, True, ("q_bf", "k_bf", "v_bf"), kpm, bool_attn, False),
    ("kdim_vdim", "kdim_vdim", {}, False, ("q", "k5", "v6"), kpm, None, True),
]

mha_cases = []
for name, wset, extra, batch_first, (qn, kn, vn), kp, am, avg in cases:
    kw = dict(mha_modules[wset])
    kw.update(extra)
    m = torch.nn.MultiheadAttention(E, H, batch_first=batch_first, **kw).double().eval()
    m.load_state_dict({k: torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"]) for k, v in weight_sets[wset].items()})
    q, k, v = (inputs[n].clone().requires_grad_(True) for n in (qn, kn, vn))
    out, attn = m(q, k, v, key_padding_mask=kp, need_weights=True, attn_mask=am, average_attn_weights=avg)
    wsum = inputs["wsum_bf" if batch_first else "wsum"]
    (out * wsum).sum().backward()
    case = {"name": name, "weights": wset, "batch_first": batch_first, "add_bias_kv": bool(kw.get("add_bias_kv", False)),
            "add_zero_attn": bool(kw.get("add_zero_attn", False)), "kdim": kw.get("kdim", E), "vdim": kw.get("vdim", E),
            "average_attn_weights": avg, "query": qn, "key": kn, "value": vn, "wsum": "wsum_bf" if batch_first else "wsum",
            "out": tensor(out), "attn": tensor(attn), "grad_query": tensor(q.grad), "grad_key": tensor(k.grad),
            "grad_value": tensor(v.grad)}
    if kp is not None:
        case["key_padding_mask"] = tensor(kp)
    if am is not None:
        case["attn_mask"] = tensor(am)
    mha_cases.append(case)

# A 2+2-layer Transformer; post-norm and pre-norm share the weights.
T = 5
torch.manual_seed(11)
tr = torch.nn.Transformer(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=8,
                          dropout=0.1, activation="gelu").double()
tr_weights = export(tr)
tr_inputs = {"src": rand(S, N, E), "tgt": rand(T, N, E), "twsum": rand(T, N, E)}
src_kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(T).double()
tr_cases = []
for name, norm_first, batch_first, masks in [("post_norm", False, False, True), ("norm_first", True, True, True),
                                              ("post_norm_nomask", False, True, False)]:
    m = torch.nn.Transformer(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=8,
                             dropout=0.1, activation="gelu", batch_first=batch_first, norm_first=norm_first).double().eval()
    m.load_state_dict({k: torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"]) for k, v in tr_weights.items()})
    src, tgt, tw = tr_inputs["src"], tr_inputs["tgt"], tr_inputs["twsum"]
    if batch_first:
        src, tgt, tw = (t.transpose(0, 1).contiguous() for t in (src, tgt, tw))
    src = src.clone().requires_grad_(True)
    tgt = tgt.clone().requires_grad_(True)
    kw = dict(tgt_mask=tgt_mask, src_key_padding_mask=src_kpm, memory_key_padding_mask=src_kpm) if masks else {}
    out = m(src, tgt, **kw)
    (out * tw).sum().backward()
    tr_cases.append({"name": name, "norm_first": norm_first, "batch_first": batch_first, "masks": masks,
                     "out": tensor(out), "grad_src": tensor(src.grad), "grad_tgt": tensor(tgt.grad)})

fixture = {
    "E": E, "heads": H, "L": L, "S": S, "N": N, "T": T,
    "inputs": {k: tensor(v) for k, v in inputs.items()},
    "mha_weights": weight_sets,
    "mha": mha_cases,
    "transformer": {"dim_feedforward": 8, "activation": "gelu", "weights": tr_weights,
                    "inputs": {k: tensor(v) for k, v in tr_inputs.items()},
                    "src_key_padding_mask": tensor(src_kpm), "tgt_mask": tensor(tgt_mask), "cases": tr_cases},
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attention_fixtures.json")
with open(path, "w") as f:
    json.dump(fixture, f, separators=(",", ":"))
print(path, os.path.getsize(path), "bytes")
