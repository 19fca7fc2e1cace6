#!/usr/bin/env python3
"""Builds sample.safetensors byte by byte, without the safetensors library.

Every byte is spelled out here so the file can be checked against the format
specification by reading this script (see README.md for the layout table).
Run: python3 make_sample.py  (writes sample.safetensors next to this script).
"""
import os
import struct

# Data region, in the order the reference library lays tensors out:
# descending dtype (I64 > F64 > F32 > I32 > BF16 > F16 > I8 > U8 > BOOL), then name.
data = b"".join([
    struct.pack("<3q", 0, 5, -7),                 # idx    I64 [3]    offsets [0, 24)
    struct.pack("<d", 0.25),                      # dbl    F64 [1]    offsets [24, 32)
    struct.pack("<4f", 1.0, -2.0, 0.5, 3.0),      # weight F32 [2,2]  offsets [32, 48)
    struct.pack("<i", 42),                        # count  I32 []     offsets [48, 52)
    bytes.fromhex("803f 00c0"),                   # scale  BF16 [2] = 1.0, -2.0     [52, 56)
    bytes.fromhex("003c 00b8"),                   # bias   F16 [2]  = 1.0, -0.5     [56, 60)
    bytes.fromhex("80 7f"),                       # small  I8 [2]   = -128, 127     [60, 62)
    bytes.fromhex("00 ff"),                       # bytes  U8 [2]   = 0, 255        [62, 64)
    bytes.fromhex("01 00 01"),                    # mask   BOOL [3] = 1, 0, 1       [64, 67)
])
assert len(data) == 67

header = (
    '{"__metadata__":{"format":"pt"},'
    '"idx":{"dtype":"I64","shape":[3],"data_offsets":[0,24]},'
    '"dbl":{"dtype":"F64","shape":[1],"data_offsets":[24,32]},'
    '"weight":{"dtype":"F32","shape":[2,2],"data_offsets":[32,48]},'
    '"count":{"dtype":"I32","shape":[],"data_offsets":[48,52]},'
    '"scale":{"dtype":"BF16","shape":[2],"data_offsets":[52,56]},'
    '"bias":{"dtype":"F16","shape":[2],"data_offsets":[56,60]},'
    '"small":{"dtype":"I8","shape":[2],"data_offsets":[60,62]},'
    '"bytes":{"dtype":"U8","shape":[2],"data_offsets":[62,64]},'
    '"mask":{"dtype":"BOOL","shape":[3],"data_offsets":[64,67]}}'
).encode("utf-8")
header += b" " * ((8 - len(header) % 8) % 8)   # pad with spaces to a multiple of 8

out = struct.pack("<Q", len(header)) + header + data
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample.safetensors")
with open(path, "wb") as f:
    f.write(out)
print(path, len(out), "bytes, header", len(header))
