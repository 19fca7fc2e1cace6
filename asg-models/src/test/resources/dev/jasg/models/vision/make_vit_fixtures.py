#!/usr/bin/python3
"""Writes vit_fixtures.json: logits of torchvision's VisionTransformer (small config) for
VisionTransformerParityTest.

Run with Debian's python3-torch 1.13 and python3-torchvision 0.14:
    /usr/bin/python3 make_vit_fixtures.py
Weights are not stored: every parameter k (in state_dict order) of shape s gets
    w[i] = base + scale * sin(0.37 * i + 0.1 * k),  i = 0 .. numel-1 (row-major),
with scale = 1/sqrt(numel/s[0]) for tensors of rank >= 2 (one over the square root of the fan-in),
0.1 for rank-1 tensors, and base = 1 for layer-norm weights (names ending in 'ln.weight',
'ln_1.weight', 'ln_2.weight'), 0 otherwise. VisionTransformerParityTest computes the same.
The logits are computed in float64 (an exact oracle for the f32 JASG run).
"""
import json
import math
import os

import torch
from torchvision.models.vision_transformer import VisionTransformer

CONFIG = dict(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64, num_classes=10)


def formula_weights(model):
    sd = model.state_dict()
    out = {}
    for k, (name, t) in enumerate(sd.items()):
        n = t.numel()
        i = torch.arange(n, dtype=torch.float64)
        scale = 1.0 / math.sqrt(n / t.shape[0]) if t.dim() >= 2 else 0.1
        base = 1.0 if name.endswith(("ln.weight", "ln_1.weight", "ln_2.weight")) else 0.0
        out[name] = (base + scale * torch.sin(0.37 * i + 0.1 * k)).reshape(t.shape)
    return out


def main():
    torch.manual_seed(0)
    model = VisionTransformer(**CONFIG).double().eval()
    model.load_state_dict(formula_weights(model))
    n = 2
    c = CONFIG["image_size"]
    # Deterministic input, also a formula: x[i] = sin(0.11 * i) (row-major over [2, 3, 32, 32]).
    x = torch.sin(0.11 * torch.arange(n * 3 * c * c, dtype=torch.float64)).reshape(n, 3, c, c)
    with torch.no_grad():
        logits = model(x)
    fixture = {
        "config": CONFIG,
        "parameters": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "input_shape": list(x.shape),
        "input_formula": "sin(0.11 * i)",
        "logits": {"shape": list(logits.shape), "data": [float(v) for v in logits.flatten()]},
        "torch": torch.__version__,
    }
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "vit_fixtures.json"), "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
