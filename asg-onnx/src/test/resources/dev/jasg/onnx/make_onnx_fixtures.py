"""Writes the ONNX import fixtures (run: /usr/bin/python3 make_onnx_fixtures.py, with Debian's python3-torch 1.13).

mlp.onnx: Linear(4, 8) - ReLU - Linear(8, 3); cnn.onnx: Conv2d(1, 4, 3, padding=1) - BatchNorm2d(4)
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
for name, model, shape in [("mlp", Mlp(), (2, 4)), ("cnn", Cnn(), (2, 1, 8, 8))]:
    init(model)
    x = det(torch.zeros(shape), 3) * 3
    export(model, x, name + ".onnx")
    with torch.no_grad():
        y = model(x)
    fixtures[name] = {"input_shape": list(shape), "input": x.flatten().tolist(),
                      "output_shape": list(y.shape), "output": y.flatten().tolist()}

with open("onnx_fixtures.json", "w") as f:
    json.dump(fixtures, f, indent=1)
