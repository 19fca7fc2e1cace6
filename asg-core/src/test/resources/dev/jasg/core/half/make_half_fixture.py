#!/usr/bin/python3
"""Writes half_torch.txt: float32 values and what PyTorch rounds them to in float16 and bfloat16.

Run with Debian's python3-torch: /usr/bin/python3 make_half_fixture.py (from this folder).
One value a line: f32 bits, f16 bits of torch.tensor(x).half(), bf16 bits of x.bfloat16() (hex).
The values cover zeros, normals, ties (both parities), the subnormal ranges of f16, the edges
of overflow (65504, 65519.99, 65520, float max), infinities and NaN, and random values of many
magnitudes.
"""
import struct

import torch

torch.manual_seed(20)


def f32(bits):
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def bits32(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


values = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.140625, 65504.0, 65505.0, 65519.0, 65519.99, 65520.0, 65536.0, 1e5, -1e5,
          6.1035156e-05, 6.0975552e-05, 5.9604645e-08, 2.9802322e-08, 2.9802326e-08, 8.940697e-08, 1e-8, -1e-8, 1e-30, 1e-40,
          3.4028235e38, -3.4028235e38, 3.3961776e38, 3.3895314e38, 1.1754944e-38, 1e-45,
          float("inf"), float("-inf"), float("nan")]
# ties: halfway between two f16 values (13 dropped bits = 0x1000) and two bf16 values (0x8000), both parities
for base in (0x3F800000, 0x3F802000, 0x40490000, 0xC2C80000, 0x3F810000):
    values.append(f32(base | 0x1000))
    values.append(f32(base | 0x8000))
    values.append(f32(base | 0x0FFF))
    values.append(f32(base | 0x1001))
    values.append(f32(base | 0x7FFF))
    values.append(f32(base | 0x8001))
# f16 subnormal ties: odd multiples of 2^-25
for k in (1, 3, 5, 1023, 2047):
    values.append(k * 2.0 ** -25)
    values.append(-k * 2.0 ** -25)
for e in range(-30, 20, 3):
    values.extend((torch.randn(4) * 2.0 ** e).tolist())

x = torch.tensor(values, dtype=torch.float32)
h = x.half().view(torch.int16).tolist()
b = x.bfloat16().view(torch.int16).tolist()
with open("half_torch.txt", "w") as out:
    out.write("# f32 bits, torch .half() bits, torch .bfloat16() bits (hex); written by make_half_fixture.py, torch " + torch.__version__ + "\n")
    for v, hv, bv in zip(x.tolist(), h, b):
        out.write(f"{bits32(v):08x} {hv & 0xFFFF:04x} {bv & 0xFFFF:04x}\n")
