#!/usr/bin/env python3
"""Writes bce_edges.json: PyTorch's binary cross entropy values and gradients where the probabilities are
exactly 0 or 1 (directly, or from a saturated f32 sigmoid). Debian: apt-get install python3-torch; then
  python3 make_fixtures.py   (in this directory)
"""
import json
import torch

torch.set_default_dtype(torch.float32)
out = {"torch": torch.__version__}

# probabilities at and near the edges, every target combination
x = torch.tensor([0.0, 0.0, 1.0, 1.0, 0.5, 1e-7, 1 - 2 ** -24, 0.25, 1e-13, 0.0], requires_grad=True)
y = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.3, 0.0, 1.0, 1.0, 1.0, 0.5])
per = torch.nn.functional.binary_cross_entropy(x, y, reduction="none")
per.backward(torch.ones_like(per))
out["probabilities"] = {"x": x.tolist(), "y": y.tolist(), "loss": per.tolist(), "grad": x.grad.tolist()}

# bce(sigmoid(z)) with logits whose f32 sigmoid is exactly 0 or 1
z = torch.tensor([17.0, 20.0, -20.0, 30.0, -120.0, 0.5, -3.0], requires_grad=True)
t = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0])
loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(z), t)
loss.backward()
out["sigmoid"] = {"z": z.tolist(), "y": t.tolist(), "loss": loss.item(), "grad": z.grad.tolist()}

with open("bce_edges.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
