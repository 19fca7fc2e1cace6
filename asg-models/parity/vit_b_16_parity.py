#!/usr/bin/python3
"""Full-size vit_b_16 parity, the torch side: torchvision's vit_b_16 with the formula weights of
make_vit_fixtures.py (parameter k: base + scale * sin(0.37 i + 0.1 k)) and the input
sin(0.11 i) of shape [1, 3, 224, 224]; writes the float64 logits to the JSON file given as argv[1].
Run by vit_b_16_parity.sh."""
import json
import math
import sys

import torch
from torchvision.models import vit_b_16

model = vit_b_16().double().eval()
sd = model.state_dict()
w = {}
for k, (name, t) in enumerate(sd.items()):
    n = t.numel()
    i = torch.arange(n, dtype=torch.float64)
    scale = 1.0 / math.sqrt(n / t.shape[0]) if t.dim() >= 2 else 0.1
    base = 1.0 if name.endswith(("ln.weight", "ln_1.weight", "ln_2.weight")) else 0.0
    w[name] = (base + scale * torch.sin(0.37 * i + 0.1 * k)).reshape(t.shape)
model.load_state_dict(w)
x = torch.sin(0.11 * torch.arange(3 * 224 * 224, dtype=torch.float64)).reshape(1, 3, 224, 224)
with torch.no_grad():
    logits = model(x)
json.dump({"logits": [float(v) for v in logits.flatten()]}, open(sys.argv[1], "w"))
