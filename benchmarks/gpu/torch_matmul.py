#!/usr/bin/env python3
"""cuBLAS matmul (fp32 with TF32 off, or fp16/bf16) at the sizes MatmulBench uses, timed with CUDA events.

Usage: python3 benchmarks/gpu/torch_matmul.py [--dtype f32|f16|bf16] [SIZES...]   (default 1024 2048 4096)
Prints one line per size in the same form as dev.jasg.gpu.bench.MatmulBench.
"""
import sys

import torch


def rate(flop_per_s):
    return f"{flop_per_s / 1e12:.2f} TFLOPS" if flop_per_s >= 1e12 else f"{flop_per_s / 1e9:.1f} GFLOPS"


DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}


def bench(n, name="f32"):
    dt = DTYPES[name]
    a = (torch.rand(n, n, device="cuda", dtype=torch.float32) * 2 - 1).to(dt)
    b = (torch.rand(n, n, device="cuda", dtype=torch.float32) * 2 - 1).to(dt)
    for _ in range(3):
        torch.matmul(a, b)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    torch.matmul(a, b)
    end.record()
    torch.cuda.synchronize()
    reps = int(max(5, min(200, 1.5e3 / max(start.elapsed_time(end), 1e-3))))
    times = []
    for _ in range(reps):
        start.record()
        torch.matmul(a, b)
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1e-3)
    times.sort()
    flop = 2.0 * n ** 3
    median, best = times[len(times) // 2], times[0]
    label = "fp32 (tf32 off)" if name == "f32" else name
    print(f"torch matmul {n}^3 {label}: {median * 1e3:.3f} ms median, {rate(flop / median)} (best {rate(flop / best)}), {reps} runs")


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    args = sys.argv[1:]
    name = "f32"
    if "--dtype" in args:
        i = args.index("--dtype")
        name = args[i + 1]
        del args[i:i + 2]
    sizes = [int(s) for s in args] or [1024, 2048, 4096]
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    for n in sizes:
        bench(n, name)


if __name__ == "__main__":
    main()
