#!/usr/bin/env python3
"""cuDNN fp32 convolutions (TF32 off) and max pooling on the layers ConvBench uses, timed with CUDA events.

Usage: python3 benchmarks/gpu/torch_conv.py [LAYERS...]   (default all)
Prints one line per layer and op in the same form as dev.jasg.gpu.bench.ConvBench.
"""
import sys

import torch
import torch.nn.functional as F

# name, batch, in channels, size, out channels, kernel, stride, padding, groups (as ConvBench.LAYERS)
LAYERS = [
    ("r3x3-64-56", 32, 64, 56, 64, 3, 1, 1, 1),
    ("r3x3-128-28", 32, 128, 28, 128, 3, 1, 1, 1),
    ("r3x3-256-14", 32, 256, 14, 256, 3, 1, 1, 1),
    ("r3x3s2-128-56", 32, 128, 56, 128, 3, 2, 1, 1),
    ("r1x1-256-64-56", 32, 256, 56, 64, 1, 1, 0, 1),
    ("stem7x7s2-3-224", 16, 3, 224, 64, 7, 2, 3, 1),
    ("dw3x3-256-56", 32, 256, 56, 256, 3, 1, 1, 256),
    ("cnn-32-64-14", 128, 32, 14, 64, 3, 1, 1, 1),
]


def timed(fn):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    fn()
    end.record()
    torch.cuda.synchronize()
    reps = int(max(5, min(100, 1e3 / max(start.elapsed_time(end), 1e-3))))
    times = []
    for _ in range(reps):
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1e-3)
    times.sort()
    return times[len(times) // 2]


def conv(name, n, c, h, o, k, s, p, groups):
    x = torch.rand(n, c, h, h, device="cuda") * 2 - 1
    w = torch.rand(o, c // groups, k, k, device="cuda") * 2 - 1
    y = F.conv2d(x, w, stride=s, padding=p, groups=groups)
    gy = torch.rand_like(y) * 2 - 1
    ho = y.shape[2]
    flop = 2.0 * n * o * ho * ho * (c // groups) * k * k
    ops = {
        "fwd": lambda: F.conv2d(x, w, stride=s, padding=p, groups=groups),
        "dx": lambda: torch.nn.grad.conv2d_input(x.shape, w, gy, stride=s, padding=p, groups=groups),
        "dw": lambda: torch.nn.grad.conv2d_weight(x, w.shape, gy, stride=s, padding=p, groups=groups),
    }
    for what, fn in ops.items():
        t = timed(fn)
        print(f"torch conv {name} {what}: {t * 1e3:.3f} ms, {flop / t / 1e12:.2f} TFLOPS")


def pool():
    x = torch.rand(32, 64, 112, 112, device="cuda", requires_grad=True)
    y = F.max_pool2d(x, 3, 2, 1)
    g = torch.rand_like(y)
    print(f"torch maxpool 3x3s2p1 32x64x112 select: {timed(lambda: F.max_pool2d(x, 3, 2, 1)) * 1e3:.3f} ms")
    print(f"torch maxpool 3x3s2p1 32x64x112 scatter (forward + backward): "
          f"{timed(lambda: torch.autograd.grad(F.max_pool2d(x, 3, 2, 1), x, g)) * 1e3:.3f} ms")
    x = torch.rand(32, 512, 14, 14, device="cuda", requires_grad=True)
    print(f"torch adaptive 1x1 32x512x14 select: {timed(lambda: F.adaptive_max_pool2d(x, 1)) * 1e3:.3f} ms")


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    only = sys.argv[1:]
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    for layer in LAYERS:
        if not only or layer[0] in only:
            conv(*layer)
    if not only or "maxpool" in only:
        pool()


if __name__ == "__main__":
    main()
