#!/usr/bin/python3
"""Writes transform_fixtures.json: torchvision 0.14's Resize (bilinear, tensor input, antialias
off: its default for tensors), CenterCrop and ToTensor on small images, for ImageTransformsTest.

Run with Debian's python3-torch and python3-torchvision: /usr/bin/python3 make_transform_fixtures.py
Inputs are formulas the test computes too: image k of shape [C, H, W] holds
x[i] = 100 + 90 * sin(0.7 * i + k) (row-major); the ToTensor input is the uint8 [H, W, C] array
(i * 37 + 11) % 256.
"""
import json
import math
import os

import numpy as np
import torch
import torchvision.transforms as T

IMAGES = {"wide": [3, 5, 7], "tall": [1, 6, 4]}


def image(k, shape):
    n = math.prod(shape)
    return (100 + 90 * torch.sin(0.7 * torch.arange(n, dtype=torch.float64) + k)).float().reshape(shape)


CASES = [
    ("resize 4 shorter side", "wide", "resize", [4]),
    ("resize 9 upscale", "wide", "resize", [9]),
    ("resize 3x10", "wide", "resize", [3, 10]),
    ("resize 3 tall", "tall", "resize", [3]),
    ("center crop 3", "wide", "center_crop", [3]),
    ("center crop 4x6 half rounds to even", "wide", "center_crop", [4, 6]),
    ("center crop 8 pads", "wide", "center_crop", [8]),
    ("center crop 3x6 tall pads width", "tall", "center_crop", [3, 6]),
]


def transform(kind, size):
    arg = size[0] if len(size) == 1 else tuple(size)
    if kind == "resize":
        return T.Resize(arg, interpolation=T.InterpolationMode.BILINEAR)
    return T.CenterCrop(arg)


def main():
    names = list(IMAGES)
    out = {"images": IMAGES, "cases": []}
    for name, img, kind, size in CASES:
        x = image(names.index(img), IMAGES[img])
        y = transform(kind, size)(x)
        out["cases"].append({"name": name, "image": img, "kind": kind, "size": size,
                             "shape": list(y.shape), "data": [float(v) for v in y.flatten()]})
    hwc = ((np.arange(4 * 3 * 3) * 37 + 11) % 256).astype(np.uint8).reshape(4, 3, 3)
    y = T.ToTensor()(hwc)
    out["to_tensor"] = {"input_shape": [4, 3, 3], "shape": list(y.shape), "data": [float(v) for v in y.flatten()]}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "transform_fixtures.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
