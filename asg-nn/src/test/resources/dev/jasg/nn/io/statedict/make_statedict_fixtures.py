#!/usr/bin/env python3
"""Writes the PyTorch cross-check fixture for StateDictTest (issue 15, STATE).

A tiny torch.nn.Sequential(Linear(4, 6), BatchNorm1d(6), ReLU(), Linear(6, 3)) with fixed
weights is put in eval mode after a few training-mode batches (so the running statistics and
num_batches_tracked are not their defaults). Its state_dict is written as SafeTensors by hand
(8-byte little-endian header length, JSON header, raw little-endian data; no `safetensors`
package needed), storing 0.weight as BF16, 0.bias as F16, 3.weight as F64, the BatchNorm
statistics as F32 and num_batches_tracked as I64, so loading it exercises those conversions.
The model's float weights are first rounded to what their stored dtype holds, so the f32 output
recorded here is exactly what the stored weights give.

Run: /usr/bin/python3 make_statedict_fixtures.py   (Debian's python3-torch 1.13)
Writes: tiny_mlp.safetensors and statedict_fixtures.json next to this script.
"""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(15)

model = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU(), torch.nn.Linear(6, 3))
model.train()
with torch.no_grad():
    for _ in range(3):
        model(torch.randn(5, 4))
model.eval()

stored = {"0.weight": torch.bfloat16, "0.bias": torch.float16, "3.weight": torch.float64}
with torch.no_grad():
    for name, p in model.state_dict().items():
        if name in stored:
            p.copy_(p.to(stored[name]).to(p.dtype))

LABEL = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def raw(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: take the 16 bits as int16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


tensors = {}
for name, p in model.state_dict().items():
    tensors[name] = p.to(stored.get(name, p.dtype))

header, data, offset = {"__metadata__": {"format": "pt"}}, b"", 0
for name in sorted(tensors):
    b = raw(tensors[name])
    header[name] = {"dtype": LABEL[tensors[name].dtype], "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
    data += b
    offset += len(b)
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(os.path.join(HERE, "tiny_mlp.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + data)

x = torch.randn(2, 4)
with torch.no_grad():
    y = model(x)
with open(os.path.join(HERE, "statedict_fixtures.json"), "w") as f:
    json.dump({
        "torch": torch.__version__,
        "model": "Sequential(Linear(4, 6), BatchNorm1d(6), ReLU(), Linear(6, 3)), eval",
        "stored": {k: LABEL[v.dtype] for k, v in tensors.items()},
        "input": {"shape": list(x.shape), "data": x.flatten().tolist()},
        "output": {"shape": list(y.shape), "data": y.flatten().tolist()},
        "num_batches_tracked": int(model[1].num_batches_tracked),
    }, f, indent=1)
    f.write("\n")
