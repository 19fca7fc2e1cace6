#!/usr/bin/python3
"""Full-size GPT-2 small parity, the torch side: the plain-torch HF GPT2LMHeadModel of
make_gpt2_fixtures.py with GPT-2 small's config (vocab 50257, 1024 positions, width 768, 12 layers,
12 heads; 124M parameters) and formula weights (no download). Writes to the JSON file argv[1] the
float64 logits [T, V] of a fixed prompt, the 32 greedy tokens decoded through the KV cache and the
top-1/top-2 logit gap of every step.

argv[2] picks the formula (k = 0.01 * sum of the code points of the HF name, i the row-major index):
  chirp (default)  w[i] = 0.5 sin(0.37 i + k + 1e-6 i^2)   (1 + 0.1 sin(...) for ln_1, ln_2, ln_f weights)
  sin              make_gpt2_fixtures.py's formula, the same without the 1e-6 i^2 term
With "sin" every weight matrix has rank 2 (sin(a r + b j) = sin(a r)cos(b j) + cos(a r)sin(b j)), so
the 50257 logits lie on one sinusoid in the token id and the top two differ by 1e-6..1e-12 of the
logits' scale: below float32's resolution, greedy ids cannot be compared. The quadratic term makes
the matrices full-rank (as a chirp); its gaps are far above float32's error. Run by gpt2_parity.sh."""
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src", "test", "resources", "dev", "jasg", "models", "text"))
import make_gpt2_fixtures as ref  # noqa: E402

CFG = dict(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12, layer_norm_epsilon=1e-5)
# "The quick brown fox jumps over the lazy dog." in GPT-2's vocabulary
PROMPT = [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13]
NEW = 32

torch.set_num_threads(max(1, os.cpu_count() or 1))
t0 = time.time()
FORMULA = sys.argv[2] if len(sys.argv) > 2 else "chirp"


def chirp_weights(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            k = 0.01 * sum(ord(ch) for ch in name)
            i = torch.arange(p.numel(), dtype=torch.float64)
            s = torch.sin(0.37 * i + k + 1e-6 * (i * i))
            val = 1 + 0.1 * s if name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")) else 0.5 * s
            p.copy_(val.float().double().view(p.shape))


model = ref.Gpt2(CFG).double()
if FORMULA == "sin":
    ref.formula_weights(model)
elif FORMULA == "chirp":
    chirp_weights(model)
else:
    sys.exit("gpt2_parity.py: formula must be chirp or sin, got " + FORMULA)
with torch.no_grad():
    logits, past = model(torch.tensor([PROMPT]))
    ids, gaps = list(PROMPT), []
    last = logits
    for _ in range(NEW):
        row = last[0, -1]
        top2 = torch.topk(row, 2).values
        gaps.append(float(top2[0] - top2[1]))
        nxt = int(torch.argmax(row))
        ids.append(nxt)
        last, past = model(torch.tensor([[nxt]]), past, start=len(ids) - 1)
scale = float(logits.abs().max())
print("torch float64, formula %s: %d parameters, logits scale %.4g, smallest top-2 gap %.4g (relative %.3g), %.1f s"
      % (FORMULA, sum(p.numel() for p in model.parameters()), scale, min(gaps), min(gaps) / scale, time.time() - t0))
with open(sys.argv[1], "w") as f:
    json.dump({"config": CFG, "formula": FORMULA, "prompt": PROMPT, "logits": [float(v) for v in logits[0].flatten()],
               "greedy": ids[len(PROMPT):], "top2_gaps": gaps}, f)
