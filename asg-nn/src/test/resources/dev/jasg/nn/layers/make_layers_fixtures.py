"""Writes layers_fixtures.json: PyTorch's outputs and gradients for the layers of issue 14.

Run with Debian's python3-torch (1.13): python3 make_layers_fixtures.py
Each case: inputs (float inputs drawn in float32, then computed in float64), the layer's
parameters as torch initialised them or as set here (before the forward, which for
Embedding(max_norm) rewrites them in place), the outputs, a fixed random cotangent gy for the
first output, and the gradients of sum(out * gy) with respect to every float input and parameter.
"""
import json
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(14)
cases = []


def t(a):
    return {"shape": list(a.shape), "data": [float("%.7g" % v) for v in a.detach().reshape(-1).tolist()]}


def add(name, module, inputs, fn=None, int_inputs=None, fill=None):
    """inputs: {name: shape} of float inputs; int_inputs: {name: tensor}; fill(module) sets parameters."""
    torch.manual_seed(len(cases) + 100)
    module = module.double()
    if fill:
        with torch.no_grad():
            fill(module)
    xs = {k: (torch.randn(*s) * 1.5).float().double().requires_grad_(True) for k, s in inputs.items()}
    params = {k: t(v) for k, v in module.state_dict().items()}
    args = dict(xs)
    if int_inputs:
        args.update(int_inputs)
    outs = fn(module, args) if fn else {"y": module(*args.values())}
    y = outs["y"]
    gy = torch.randn(y.shape, dtype=torch.float64).float().double()
    (y * gy).sum().backward()
    grads = {k: t(v.grad) for k, v in xs.items()}
    for k, p in module.named_parameters():
        grads[k] = t(p.grad if p.grad is not None else torch.zeros_like(p))
    case = {"name": name, "inputs": {k: t(v) for k, v in xs.items()}, "params": params,
            "outputs": {k: t(v) for k, v in outs.items()}, "gy": t(gy), "grads": grads}
    if int_inputs:
        case["intInputs"] = {k: t(v) for k, v in int_inputs.items()}
    cases.append(case)


def randomize(*names):
    def f(m):
        for n in names:
            getattr(m, n).copy_(torch.randn_like(getattr(m, n)).float().double())
    return f


# ---- convolutions ----
add("conv1d stride 2 pad 1", nn.Conv1d(2, 3, 3, stride=2, padding=1), {"x": (2, 2, 7)})
add("conv1d groups dilation no bias", nn.Conv1d(4, 2, 3, dilation=2, groups=2, bias=False), {"x": (1, 4, 8)})
add("conv1d same", nn.Conv1d(2, 2, 4, padding="same"), {"x": (1, 2, 6)})
add("conv1d reflect", nn.Conv1d(2, 3, 3, padding=2, padding_mode="reflect"), {"x": (2, 2, 5)})
add("conv1d replicate", nn.Conv1d(2, 2, 3, stride=2, padding=2, padding_mode="replicate"), {"x": (1, 2, 5)})
add("conv1d circular", nn.Conv1d(2, 2, 3, padding=3, padding_mode="circular"), {"x": (1, 2, 4)})
add("conv2d reflect", nn.Conv2d(2, 2, 3, padding=(1, 2), padding_mode="reflect"), {"x": (1, 2, 4, 5)})
add("conv2d replicate", nn.Conv2d(1, 2, 3, stride=2, padding=1, padding_mode="replicate"), {"x": (2, 1, 5, 5)})
add("conv2d circular", nn.Conv2d(2, 2, (2, 3), padding=(1, 1), padding_mode="circular"), {"x": (1, 2, 4, 4)})
add("conv3d", nn.Conv3d(2, 3, (2, 3, 3), stride=(2, 1, 2), padding=(1, 1, 0)), {"x": (2, 2, 3, 4, 4)})
add("conv3d groups dilation", nn.Conv3d(4, 2, 3, groups=2, dilation=(2, 1, 1), padding=1, bias=False), {"x": (1, 4, 5, 3, 3)})
add("conv3d replicate", nn.Conv3d(1, 2, 2, padding=1, padding_mode="replicate"), {"x": (1, 1, 3, 3, 4)})
add("conv_transpose1d", nn.ConvTranspose1d(2, 3, 3, stride=2, padding=1, output_padding=1), {"x": (2, 2, 4)})
add("conv_transpose1d groups dilation", nn.ConvTranspose1d(4, 2, 3, groups=2, dilation=2, bias=False), {"x": (1, 4, 5)})

# ---- pooling ----
add("max_pool1d", nn.MaxPool1d(3, stride=2, padding=1), {"x": (2, 3, 8)})
add("max_pool1d ceil dilation", nn.MaxPool1d(2, stride=2, dilation=2, ceil_mode=True), {"x": (1, 2, 9)})
add("max_pool3d", nn.MaxPool3d((2, 2, 3), stride=(1, 2, 2), padding=(1, 1, 1)), {"x": (1, 2, 3, 4, 5)})
add("max_pool3d ceil", nn.MaxPool3d(2, ceil_mode=True), {"x": (1, 1, 5, 5, 5)})
add("avg_pool1d", nn.AvgPool1d(3, stride=2, padding=1), {"x": (2, 2, 7)})
add("avg_pool1d ceil no pad count", nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False), {"x": (1, 2, 8)})
add("avg_pool3d", nn.AvgPool3d(2), {"x": (1, 1, 4, 4, 5)})
add("avg_pool3d pad ceil", nn.AvgPool3d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), {"x": (1, 1, 5, 4, 5)})
add("avg_pool3d divisor", nn.AvgPool3d(2, stride=1, divisor_override=3), {"x": (1, 1, 3, 3, 3)})
add("adaptive_avg_pool1d", nn.AdaptiveAvgPool1d(3), {"x": (2, 2, 7)})
add("adaptive_max_pool1d", nn.AdaptiveMaxPool1d(3), {"x": (2, 2, 7)})


def pool_with_indices(m, a):
    y, i = m(a["x"])
    return {"y": y, "indices": i}


add("max_pool2d indices", nn.MaxPool2d(2, stride=2, return_indices=True), {"x": (2, 2, 4, 6)}, fn=pool_with_indices)
add("max_pool2d indices overlapping", nn.MaxPool2d(3, stride=2, padding=1, return_indices=True), {"x": (1, 2, 5, 5)}, fn=pool_with_indices)

torch.manual_seed(7)
_, unpool_idx = F.max_pool2d(torch.randn(2, 2, 4, 6), 2, 2, return_indices=True)
add("max_unpool2d", nn.MaxUnpool2d(2), {"x": (2, 2, 2, 3)}, int_inputs={"indices": unpool_idx})
_, unpool_idx2 = F.max_pool2d(torch.randn(1, 2, 5, 7), 2, 2, return_indices=True)
add("max_unpool2d output size", nn.MaxUnpool2d(2), {"x": (1, 2, 2, 3)}, int_inputs={"indices": unpool_idx2},
    fn=lambda m, a: {"y": m(a["x"], a["indices"], output_size=[5, 7])})

# ---- normalisation ----
add("group_norm", nn.GroupNorm(2, 4), {"x": (2, 4, 3, 2)}, fill=randomize("weight", "bias"))
add("group_norm no affine", nn.GroupNorm(3, 6, eps=1e-3, affine=False), {"x": (2, 6, 4)})
add("instance_norm1d", nn.InstanceNorm1d(3), {"x": (2, 3, 5)})
add("instance_norm2d affine", nn.InstanceNorm2d(2, affine=True), {"x": (2, 2, 3, 4)}, fill=randomize("weight", "bias"))
add("local_response_norm", nn.LocalResponseNorm(3), {"x": (2, 5, 3, 2)})
add("local_response_norm 3d input", nn.LocalResponseNorm(2, alpha=1e-2, beta=0.5, k=2.0), {"x": (1, 4, 5)})

# ---- interpolation ----
add("upsample nearest x2", nn.Upsample(scale_factor=2, mode="nearest"), {"x": (1, 2, 2, 3)})
add("upsample nearest size", nn.Upsample(size=(5, 7), mode="nearest"), {"x": (1, 1, 3, 4)})
add("upsample nearest 1d", nn.Upsample(size=5, mode="nearest"), {"x": (2, 1, 3)})
add("upsample nearest scale 1.7", nn.Upsample(scale_factor=1.7, mode="nearest"), {"x": (1, 1, 3, 4)})
add("upsample nearest-exact", nn.Upsample(size=(5, 3), mode="nearest-exact"), {"x": (1, 1, 3, 4)})
add("upsample bilinear x2", nn.Upsample(scale_factor=2, mode="bilinear"), {"x": (1, 2, 2, 3)})
add("upsample bilinear align size", nn.Upsample(size=(5, 3), mode="bilinear", align_corners=True), {"x": (1, 1, 3, 4)})
add("upsample bilinear scale 1.5", nn.Upsample(scale_factor=1.5, mode="bilinear"), {"x": (1, 1, 3, 4)})
add("upsample bicubic size", nn.Upsample(size=(5, 6), mode="bicubic"), {"x": (1, 1, 3, 4)})
add("upsample bicubic align x2", nn.Upsample(scale_factor=2, mode="bicubic", align_corners=True), {"x": (1, 2, 3, 3)})
add("upsample linear 1d", nn.Upsample(size=7, mode="linear"), {"x": (2, 1, 4)})
add("upsample trilinear", nn.Upsample(size=(3, 4, 2), mode="trilinear"), {"x": (1, 1, 2, 3, 3)})
add("pixel_shuffle", nn.PixelShuffle(2), {"x": (1, 8, 2, 3)})
add("pixel_unshuffle", nn.PixelUnshuffle(2), {"x": (1, 2, 4, 6)})

# ---- activations ----
add("relu6", nn.ReLU6(), {"x": (2, 7)}, fill=None)
add("hardtanh", nn.Hardtanh(-0.5, 1.5), {"x": (2, 7)})
add("hardsigmoid", nn.Hardsigmoid(), {"x": (3, 7)})
add("hardswish", nn.Hardswish(), {"x": (3, 7)})
add("prelu", nn.PReLU(), {"x": (2, 3, 4)})
add("prelu per channel", nn.PReLU(3), {"x": (2, 3, 4)}, fill=randomize("weight"))
add("selu", nn.SELU(), {"x": (2, 7)})
add("celu", nn.CELU(0.7), {"x": (2, 7)})
add("mish", nn.Mish(), {"x": (2, 7)})
add("softsign", nn.Softsign(), {"x": (2, 7)})
add("logsigmoid", nn.LogSigmoid(), {"x": (2, 7)})
add("glu", nn.GLU(), {"x": (2, 3, 4)})
add("glu dim 1", nn.GLU(dim=1), {"x": (2, 6, 3)})
add("threshold", nn.Threshold(0.3, -2.0), {"x": (2, 7)})

# ---- embedding ----
idx = torch.tensor([[0, 3, 3, 1], [4, 0, 3, 2]])


def emb(m, a):
    return {"y": m(a["indices"])}


def big_rows(m):
    m.weight.copy_((torch.randn_like(m.weight) * 1.5).float().double())


add("embedding max_norm", nn.Embedding(6, 4, max_norm=1.0), {}, int_inputs={"indices": idx}, fn=emb, fill=big_rows)
add("embedding max_norm p1", nn.Embedding(6, 4, max_norm=2.0, norm_type=1.0), {}, int_inputs={"indices": idx}, fn=emb, fill=big_rows)
add("embedding scale_grad_by_freq", nn.Embedding(6, 4, scale_grad_by_freq=True), {}, int_inputs={"indices": idx}, fn=emb, fill=big_rows)
add("embedding padding_idx loaded row", nn.Embedding(6, 4, padding_idx=3), {}, int_inputs={"indices": idx}, fn=emb, fill=big_rows)

with open("layers_fixtures.json", "w") as f:
    json.dump({"generator": "make_layers_fixtures.py", "torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(len(cases), "cases")
