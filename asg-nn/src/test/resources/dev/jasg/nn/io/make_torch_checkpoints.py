#!/usr/bin/env python3
"""Writes the tiny PyTorch checkpoints TorchCheckpointTest reads, and torch_checkpoints.json.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 make_torch_checkpoints.py
(writes into the torch/ folder next to this script). Every file is a few KB.

Good files (torch.save, the zip format of torch >= 1.6, default pickle protocol 2 unless noted):
  sequential.pt     state_dict of nn.Sequential(Linear(3,4), ReLU(), Linear(4,2)), f32, OrderedDict
  sequential_p4.pt  the same state_dict saved with pickle_protocol=4 (FRAME, STACK_GLOBAL, MEMOIZE)
  dtypes.pt         one tensor per storage type: f16, bf16, f64, i64, i32, i16, i8, u8, bool, and a 0-d scalar
  views.pt          views sharing one storage: a transpose, a row, a column, a 2-d slice, an offset slice
  two_models.pt     {"a": {"w": ...}, "b": {"w": ...}}: two state dicts, none under a conventional key
  nested.pt         {"model": state_dict, "epoch": 3, "optimizer": SGD state_dict, a Parameter, plain values}
Hostile files (must be refused naming the global, and nothing run):
  hostile_zip.pt       torch.save of a dict holding a tensor and an object whose __reduce__ is os.system
  hostile_system.pkl   a plain pickle (protocol 2, GLOBAL) of the same object
  hostile_eval_p4.pkl  a plain pickle (protocol 4, STACK_GLOBAL) calling builtins.eval
  hostile_popen.pt     torch zip whose object is subprocess.Popen(["true"])

The JSON maps each good file to its tensors: "<path>" -> {dtype, shape, stride, offset, values}
(values flattened in row-major order of the view, as the reader must return them), plus the
plain values of nested.pt, and each hostile file to the global the reader must name.
"""
import json
import os
import pickle
import subprocess

import torch
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "torch")
os.makedirs(OUT, exist_ok=True)

DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
         torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
         torch.uint8: "U8", torch.bool: "BOOL"}


def describe(t):
    return {"dtype": DTYPE[t.dtype], "shape": list(t.shape), "stride": list(t.stride()),
            "offset": t.storage_offset(),
            "values": [float(v) for v in t.detach().double().reshape(-1).tolist()]}


def flat(tree, prefix=""):
    """Every tensor of a container tree, by a dotted path of keys and list indices."""
    out = {}
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, (list, tuple)) else []
    for k, v in items:
        path = f"{prefix}{k}"
        if isinstance(v, torch.Tensor):
            out[path] = describe(v)
        elif isinstance(v, (dict, list, tuple)):
            out.update(flat(v, path + "/"))
    return out


def save(name, obj, **kw):
    torch.save(obj, os.path.join(OUT, name), **kw)


fixtures = {}

torch.manual_seed(0)
seq = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
sd = seq.state_dict()
save("sequential.pt", sd)
fixtures["sequential.pt"] = {"tensors": flat(sd)}
save("sequential_p4.pt", sd, pickle_protocol=4)
fixtures["sequential_p4.pt"] = {"tensors": flat(sd)}

base = torch.tensor([1.0, -2.5, 0.333, 65504.0, -0.0, 3.0e-5])
dtypes = {
    "f16": base.half(),
    "bf16": base.bfloat16(),
    "f64": torch.tensor([[0.1, -1e300], [3.141592653589793, 2.0 ** -1074]], dtype=torch.float64),
    "i64": torch.tensor([0, -7, 16777216, -16777216], dtype=torch.int64),
    "i32": torch.tensor([[1, -2, 3]], dtype=torch.int32),
    "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
    "i8": torch.tensor([-128, 127, 0], dtype=torch.int8),
    "u8": torch.tensor([0, 255, 7], dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]),
    "scalar": torch.tensor(2.5),
    "empty": torch.zeros(0, 3),
}
save("dtypes.pt", dtypes)
fixtures["dtypes.pt"] = {"tensors": flat(dtypes)}

a = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4
views = {"base": a, "t": a.t(), "row": a[1], "col": a[:, 2], "slice": a[1:, 1:3], "step": a.reshape(-1)[1::3]}
save("views.pt", views)
fixtures["views.pt"] = {"tensors": flat(views)}

opt = torch.optim.SGD(seq.parameters(), lr=0.1, momentum=0.9)
seq(torch.ones(2, 3)).sum().backward()
opt.step()
nested = {"model": seq.state_dict(), "epoch": 3, "optimizer": opt.state_dict(), "lr": 0.1, "name": "tiny",
          "tags": [1, 2, "x"], "flag": True, "nothing": None, "pair": (4, -5), "big": 2 ** 70,
          "param": torch.nn.Parameter(torch.tensor([0.5, -0.5]))}
save("nested.pt", nested)
fixtures["nested.pt"] = {"tensors": flat(nested), "epoch": 3, "lr": 0.1, "name": "tiny", "big": str(2 ** 70),
                         "optimizer_lr": 0.1, "state_dict_keys": list(seq.state_dict().keys())}

two = {"a": {"w": torch.ones(1)}, "b": {"w": torch.zeros(1)}, "step": 1}
save("two_models.pt", two)
fixtures["two_models.pt"] = {"tensors": flat(two)}


class System:
    def __reduce__(self):
        return (os.system, ("echo JASG-PWNED > /tmp/jasg-pwned",))


class Eval:
    def __reduce__(self):
        return (eval, ("__import__('os').system('echo JASG-PWNED')",))


class Popen:
    def __reduce__(self):
        return (subprocess.Popen, (["true"],))


save("hostile_zip.pt", {"w": torch.ones(2), "evil": System()})
with open(os.path.join(OUT, "hostile_system.pkl"), "wb") as f:
    pickle.dump(System(), f, protocol=2)
with open(os.path.join(OUT, "hostile_eval_p4.pkl"), "wb") as f:
    pickle.dump(Eval(), f, protocol=4)
save("hostile_popen.pt", Popen())


def first_global(data):
    """The first global a pickle names, as "module.name" (what the reader must report)."""
    import pickletools
    strings = []
    for op, arg, _ in pickletools.genops(data):
        if op.name == "GLOBAL":
            return arg.replace(" ", ".")
        if op.name == "STACK_GLOBAL":
            return strings[-2] + "." + strings[-1]
        if isinstance(arg, str):
            strings.append(arg)


def pickle_of(name):
    import zipfile
    path = os.path.join(OUT, name)
    if zipfile.is_zipfile(path):
        z = zipfile.ZipFile(path)
        return z.read([n for n in z.namelist() if n.endswith("/data.pkl")][0])
    return open(path, "rb").read()


# Python 3 pickles protocol < 3 with fix_imports, so subprocess.Popen is written as "commands Popen"
# (its Python 2 name) and os.system as "posix system": the reader reports the name the pickle holds.
fixtures["hostile"] = {n: first_global(pickle_of(n)) if n != "hostile_zip.pt" else "posix.system"
                       for n in ["hostile_zip.pt", "hostile_system.pkl", "hostile_eval_p4.pkl", "hostile_popen.pt"]}

with open(os.path.join(HERE, "torch_checkpoints.json"), "w") as f:
    json.dump(fixtures, f, indent=1, sort_keys=True)
    f.write("\n")
total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
print("wrote", len(os.listdir(OUT)), "files,", total, "bytes, under", OUT)
