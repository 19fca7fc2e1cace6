#!/usr/bin/env python3
"""The workloads of dev.jasg.bench.Peers in PyTorch, on one fixed random batch, 2 threads.

Prints one line per workload, ``torch_<name> <value> <unit>``, then ``torch_<name>_maxrss <MiB> MiB``
(the process's peak resident set so far: run one workload per process, as run.sh does, to read it
per workload). Debian: ``apt-get install python3-torch libopenblas0-pthread``.

    python3 torch_peers.py [--only sgemm|mlp|cnn|transformer|gpt]... [--seconds 5] [--warmup 5] [--threads 2]
                           [--device cuda] [--autocast f16|bf16] [--serve]

``--device cuda`` runs the training workloads on the GPU (eager, TF32 off), the peer of ``Peers --gpu``;
``--serve`` (one workload) is the alternating mode of ``alternate.py``: after the first step and the warm-up it
prints ``# ready``, then times one window for each ``window S`` line on standard input and prints
``torch_<name> <value> <unit>``, until ``end`` or the end of the input.
``--autocast`` wraps the forward pass and the loss in ``torch.autocast`` (f16 also with a ``GradScaler``),
the peer of ``Peers --gpu --mixed f16|bf16``.
"""
import argparse
import resource
import time

import torch
import torch.nn as nn

DEVICE = "cpu"
AUTOCAST = None  # None, torch.float16 or torch.bfloat16


def sgemm():
    n = 1024
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(n, n, generator=g), torch.randn(n, n, generator=g)
    c = torch.empty(n, n)

    def step():
        torch.mm(a, b, out=c)
    return step, 2.0 * n ** 3 / 1e9, "GFLOPS"


def training(model, opt, x, loss_fn):
    if AUTOCAST is None:
        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x))
            loss.backward()
            opt.step()
            return loss.item()  # JASG also brings the loss back every step
        return step
    scaler = torch.cuda.amp.GradScaler(enabled=AUTOCAST == torch.float16)

    def mixed_step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device_type=DEVICE.split(":")[0], dtype=AUTOCAST):
            loss = loss_fn(model(x))
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        return loss.item()
    return mixed_step


def mlp():
    batch = 256
    g = torch.Generator().manual_seed(2)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    x, y = torch.randn(batch, 784, generator=g).to(DEVICE), torch.randint(0, 10, (batch,), generator=g).to(DEVICE)
    model.to(DEVICE)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    ce = nn.CrossEntropyLoss()
    return training(model, opt, x, lambda out: ce(out, y)), batch, "samples/s"


def cnn():
    batch = 128
    g = torch.Generator().manual_seed(4)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    x, y = torch.randn(batch, 1, 28, 28, generator=g).to(DEVICE), torch.randint(0, 10, (batch,), generator=g).to(DEVICE)
    model.to(DEVICE)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    ce = nn.CrossEntropyLoss()
    return training(model, opt, x, lambda out: ce(out, y)), batch, "samples/s"


def transformer():
    batch, seq, d = 8, 128, 256
    g = torch.Generator().manual_seed(3)
    block = nn.TransformerEncoderLayer(d, 4, 1024, dropout=0.0, activation="gelu", layer_norm_eps=1e-5,
                                       batch_first=True, norm_first=True)
    x = torch.randn(batch, seq, d, generator=g).to(DEVICE)
    block.to(DEVICE)
    opt = torch.optim.AdamW(block.parameters(), lr=1e-3)
    return training(block, opt, x, lambda out: out.square().mean()), batch * seq, "tokens/s"


def gpt():
    """12 pre-LN blocks, d=768, 12 heads, ff 3072 (GPT-2 small's stack, no embeddings), input [8,1024,768]."""
    layers, d, heads, ff, batch, seq = GPT_SIZE
    g = torch.Generator().manual_seed(5)
    stack = nn.Sequential(*[nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation="gelu", layer_norm_eps=1e-5,
                                                       batch_first=True, norm_first=True) for _ in range(layers)])
    x = torch.randn(batch, seq, d, generator=g).to(DEVICE)
    stack.to(DEVICE)
    opt = torch.optim.AdamW(stack.parameters(), lr=1e-3)
    return training(stack, opt, x, lambda out: out.square().mean()), batch * seq, "tokens/s"


GPT_SIZE = (12, 768, 12, 3072, 8, 1024)
WORKLOADS = {"sgemm": sgemm, "mlp": mlp, "cnn": cnn, "transformer": transformer, "gpt": gpt}
DEFAULT = ["sgemm", "mlp", "cnn", "transformer"]


def current_rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1048576


def time_for(step, seconds):
    start = time.perf_counter()
    end = start + seconds
    steps = 0
    while True:
        step()
        steps += 1
        now = time.perf_counter()
        if now >= end:
            return steps, now - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", action="append", choices=list(WORKLOADS))
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--autocast", choices=["f16", "bf16"])
    ap.add_argument("--profile", action="store_true",
                    help="after the timed steps, profile 3 more with torch.profiler and print the top kernels by device time")
    ap.add_argument("--gpt", help="gpt sizes LAYERS,D,HEADS,FF,BATCH,SEQ (as -Djasg.bench.gpt)")
    ap.add_argument("--serve", action="store_true",
                    help="one workload: after the warm-up, a timed window for each 'window S' line on stdin (alternate.py)")
    args = ap.parse_args()
    if args.serve and len(args.only or DEFAULT) != 1:
        ap.error("--serve takes one workload (--only NAME)")
    global GPT_SIZE
    if args.gpt:
        GPT_SIZE = tuple(int(v) for v in args.gpt.split(","))
    global DEVICE, AUTOCAST
    DEVICE = args.device
    AUTOCAST = {"f16": torch.float16, "bf16": torch.bfloat16, None: None}[args.autocast]
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__} threads={torch.get_num_threads()} device={DEVICE} autocast={args.autocast}", flush=True)
    for name in args.only or DEFAULT:
        rss_before = current_rss_mib()
        step, units, unit = WORKLOADS[name]()
        t0 = time.perf_counter()
        step()
        first = (time.perf_counter() - t0) * 1e3
        time_for(step, args.warmup)
        if args.serve:
            serve(name, step, units, unit)
            continue
        steps, elapsed = time_for(step, args.seconds)
        print(f"torch_{name} {steps / elapsed * units:.1f} {unit}")
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"torch_{name}_maxrss {maxrss:.1f} MiB")
        # the peak resident growth since just before the model was built: tensors, optimiser state, the
        # allocator's cache and the kernel code first paged in by the workload
        print(f"torch_{name}_step_peak_memory {maxrss - rss_before:.1f} MiB")
        print(f"# {name}: {steps} steps in {elapsed:.2f} s ({1e3 * elapsed / steps:.3f} ms/step), first step {first:.0f} ms",
              flush=True)
        if args.profile:
            profile(name, step)


def serve(name, step, units, unit):
    """--serve: '# ready', then one timed window per 'window S' line on stdin, until 'end' or the end of the input."""
    import sys
    print("# ready", flush=True)
    for line in sys.stdin:
        f = line.split()
        if f == ["end"]:
            break
        try:
            seconds = float(f[1]) if len(f) == 2 and f[0] == "window" else float("nan")
        except ValueError:
            seconds = float("nan")
        if not 0 < seconds < float("inf"):
            print(f"# error: expected 'window SECONDS' or 'end', got {line.strip()!r}", flush=True)
            continue
        steps, elapsed = time_for(step, seconds)
        print(f"torch_{name} {steps / elapsed * units:.1f} {unit}", flush=True)


def profile(name, step):
    """Three steps under torch.profiler: the kernels by total device time (CPU time where there is no device)."""
    from torch.profiler import profile as torch_profile, ProfilerActivity
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if DEVICE == "cuda" else [])
    with torch_profile(activities=activities) as prof:
        for _ in range(3):
            step()
        if DEVICE == "cuda":
            torch.cuda.synchronize()
    keys = ["self_device_time_total", "self_cuda_time_total"] if DEVICE == "cuda" else ["self_cpu_time_total"]
    for key in keys:  # the device key's name changed between torch versions
        try:
            table = prof.key_averages().table(sort_by=key, row_limit=30, max_name_column_width=70)
        except (AttributeError, KeyError, ValueError):
            continue
        print(f"# {name} profile, 3 steps, by {key}")
        print(table, flush=True)
        break


if __name__ == "__main__":
    main()
