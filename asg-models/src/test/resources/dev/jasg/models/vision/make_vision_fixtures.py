#!/usr/bin/python3
"""Writes vision_fixtures.json: logits of torchvision's real ResNet / MobileNetV2 classes, with
weights every side computes from one formula, for VisionParityTest.

Run with Debian's python3-torch 1.13 and python3-torchvision 0.14:
    /usr/bin/python3 make_vision_fixtures.py                    # the CI fixture (32x32, batch 2)
    /usr/bin/python3 make_vision_fixtures.py --size 224 --batch 1 --num-classes 1000 --out /tmp/full.json
(the full-size form, which asg-models/parity/full_parity.sh runs)

Deterministic weights (VisionParityTest.weight computes the same), for every entry of the
state_dict but num_batches_tracked, element i of the flattened tensor named `name`, with
    k = (sum over characters j of name: (j + 1) * ord(name[j])) % 1000 * 0.01
    s = sin(0.37 * i + 0.001 * i * i + k)   (evaluated left to right in double)
    running_var            -> 1 + 0.5 * s
    running_mean           -> 0.1 * s
    rank-1 weight (BN)     -> 1 + 0.2 * s
    rank-1 bias            -> 0.1 * s
    weight of rank >= 2    -> sqrt(3 / fan_in) * s,  fan_in = prod(shape[1:])
computed in double and rounded to float32. The input is torch.randn rounded to 4 decimals.
"""
import argparse
import json
import math

import numpy as np
import torch
import torchvision


def name_key(name):
    return sum((j + 1) * ord(c) for j, c in enumerate(name)) % 1000 * 0.01


def weight(name, shape):
    n = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(n, dtype=np.float64)
    s = np.sin(0.37 * i + 0.001 * i * i + name_key(name))
    if name.endswith("running_var"):
        v = 1.0 + 0.5 * s
    elif name.endswith("running_mean"):
        v = 0.1 * s
    elif len(shape) == 1 and name.endswith("weight"):
        v = 1.0 + 0.2 * s
    elif len(shape) == 1:
        v = 0.1 * s
    else:
        fan_in = int(np.prod(shape[1:]))
        v = math.sqrt(3.0 / fan_in) * s
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


MODELS = {
    "resnet18": lambda c: torchvision.models.resnet18(num_classes=c),
    "resnet34": lambda c: torchvision.models.resnet34(num_classes=c),
    "resnet50": lambda c: torchvision.models.resnet50(num_classes=c),
    "mobilenet_v2": lambda c: torchvision.models.mobilenet_v2(num_classes=c),
    "mobilenet_v2_w0.5": lambda c: torchvision.models.mobilenet_v2(num_classes=c, width_mult=0.5),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--num-classes", type=int, default=10)
    p.add_argument("--out", default="vision_fixtures.json")
    a = p.parse_args()
    torch.manual_seed(0)
    x = torch.round(torch.randn(a.batch, 3, a.size, a.size) * 1e4) / 1e4
    out = {"input_shape": list(x.shape), "input": [round(float(v), 4) for v in x.flatten()], "models": {}}
    for name in a.models.split(","):
        m = MODELS[name](a.num_classes).eval()
        with torch.no_grad():
            for k, t in m.state_dict().items():
                if not k.endswith("num_batches_tracked"):
                    t.copy_(weight(k, tuple(t.shape)))
            y = m(x)
        out["models"][name] = {"num_classes": y.shape[1], "state_dict_keys": len(m.state_dict()),
                               "logits": [float(v) for v in y.flatten()]}
        print(name, "logits std", float(y.std()), "max", float(y.abs().max()))
    with open(a.out, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
