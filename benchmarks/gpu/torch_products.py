"""cuBLAS (TF32 off) twin of MatmulBench --product: python3 torch_products.py M,K,N,TA,TB[,EPILOGUE] ... [--dtype bf16]"""
import sys
import torch

torch.backends.cuda.matmul.allow_tf32 = False
args = sys.argv[1:]
dtype = torch.float32
if "--dtype" in args:
    i = args.index("--dtype")
    dtype = {"f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32}[args[i + 1]]
    del args[i:i + 2]
print("device:", torch.cuda.get_device_name(), "torch", torch.__version__)
for spec in args:
    f = spec.split(",")
    m, k, n, ta, tb = int(f[0]), int(f[1]), int(f[2]), f[3] == "1", f[4] == "1"
    epi = f[5] if len(f) > 5 else "none"
    a = torch.rand((k, m) if ta else (m, k), device="cuda", dtype=dtype)
    b = torch.rand((n, k) if tb else (k, n), device="cuda", dtype=dtype)
    bias = torch.rand(n, device="cuda", dtype=dtype)
    res = torch.rand(m, n, device="cuda", dtype=dtype)
    h = torch.rand(m, n, device="cuda", dtype=dtype) if epi in ("mul", "gelugrad") else None

    def run():
        c = (a.t() if ta else a) @ (b.t() if tb else b)
        if epi.startswith("bias"):
            c = c + bias
        if epi.endswith("+res"):
            c = c + res
        if epi.endswith("+gelu"):
            c = torch.nn.functional.gelu(c)
        if epi == "mul":
            c = c * h
        if epi == "gelugrad":
            c = torch.ops.aten.gelu_backward(c, h)  # eager autograd's one kernel for GELU's gradient
        return c

    for _ in range(5):
        run()
    torch.cuda.synchronize()
    times = []
    for _ in range(30):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        run()
        e.record()
        torch.cuda.synchronize()
        times.append(s.elapsed_time(e))
    times.sort()
    med = times[len(times) // 2]
    print(f"torch product {spec} {str(dtype).replace('torch.', '')}: {med:.3f} ms median, {2.0 * m * n * k / med / 1e9:.2f} TFLOPS")
