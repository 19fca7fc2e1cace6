"""Writes the ONNX import fixtures (run: /usr/bin/python3 make_onnx_fixtures.py, with Debian's python3-torch 1.13).

misc.onnx: the shape-driven reshape of x.view(x.size(0), -1), grouped strided conv, avg pool,
gelu, slicing, concat, reductions, log_softmax. mlp.onnx: Linear(4, 8) - ReLU - Linear(8, 3); cnn.onnx: Conv2d(1, 4, 3, padding=1) - BatchNorm2d(4)
- ReLU - MaxPool2d(2) - Flatten - Linear(64, 5) on [B, 1, 8, 8]. Both exported by torch.onnx.export
at opset 17 with a dynamic batch axis "B", in eval mode (BatchNormalization kept, not folded into
the convolution). onnx_fixtures.json holds a fixed input and PyTorch's outputs for each.
"""
import json
import math

import torch

torch.manual_seed(0)


def det(t, k):
    # deterministic values, independent of torch's random generator
    n = t.numel()
    return torch.tensor([0.3 * math.sin(0.37 * i + k) for i in range(n)], dtype=torch.float32).reshape(t.shape)


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.fc2 = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(64, 5)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)
        return self.fc(torch.flatten(x, 1))


class Misc(torch.nn.Module):
    """Shape-driven reshapes (x.view(x.size(0), -1): Shape, Gather, Unsqueeze, Concat, Reshape), pooling, and many elementwise ops."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(2, 4, 3, stride=2, padding=1, groups=2)
        self.fc = torch.nn.Linear(16, 6)
        self.drop = torch.nn.Dropout(0.5)

    def forward(self, x):
        h = torch.nn.functional.leaky_relu(self.conv(x), 0.1)
        h = torch.nn.functional.avg_pool2d(h, 2)
        h = h.view(h.size(0), -1)
        h = self.drop(torch.nn.functional.gelu(self.fc(h)))
        a = torch.sigmoid(h[:, :3]) * torch.tanh(h[:, 3:])
        b = torch.clamp(h, -0.2, 0.3).mean(dim=1, keepdim=True)
        y = torch.cat([a, b, h.abs().sqrt().unsqueeze(2).squeeze(2)], dim=1)
        return torch.log_softmax(y.t().t() / 2 + torch.exp(-h.pow(2)).sum(1, keepdim=True), dim=1)


def init(model):
    with torch.no_grad():
        for k, (name, p) in enumerate(model.named_parameters()):
            p.copy_(det(p, k))
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(det(b, 7))
            elif name.endswith("running_var"):
                b.copy_(1.0 + det(b, 9).abs())
    return model.eval()


def export(model, x, path):
    torch.onnx.export(model, x, path, opset_version=17, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "B"}, "output": {0: "B"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)


fixtures = {}
for name, model, shape in [("mlp", Mlp(), (2, 4)), ("cnn", Cnn(), (2, 1, 8, 8)), ("misc", Misc(), (2, 2, 8, 8))]:
    init(model)
    x = det(torch.zeros(shape), 3) * 3
    export(model, x, name + ".onnx")
    with torch.no_grad():
        y = model(x)
    fixtures[name] = {"input_shape": list(shape), "input": x.flatten().tolist(),
                      "output_shape": list(y.shape), "output": y.flatten().tolist()}

with open("onnx_fixtures.json", "w") as f:
    json.dump(fixtures, f, indent=1)
