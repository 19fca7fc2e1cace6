#!/usr/bin/env python3
"""cuBLAS fp32 matmul (TF32 off) at the sizes MatmulBench uses, timed with CUDA events.

Usage: python3 benchmarks/gpu/torch_matmul.py [SIZES...]   (default 1024 2048 4096)
Prints one line per size in the same form as dev.jasg.gpu.bench.MatmulBench.
"""
import sys

import torch


def rate(flop_per_s):
    return f"{flop_per_s / 1e12:.2f} TFLOPS" if flop_per_s >= 1e12 else f"{flop_per_s / 1e9:.1f} GFLOPS"


def bench(n):
    a = torch.rand(n, n, device="cuda", dtype=torch.float32) * 2 - 1
    b = torch.rand(n, n, device="cuda", dtype=torch.float32) * 2 - 1
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
    print(f"torch matmul {n}^3 fp32 (tf32 off): {median * 1e3:.3f} ms median, {rate(flop / median)} (best {rate(flop / best)}), {reps} runs")


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    sizes = [int(s) for s in sys.argv[1:]] or [1024, 2048, 4096]
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    for n in sizes:
        bench(n)


if __name__ == "__main__":
    main()
