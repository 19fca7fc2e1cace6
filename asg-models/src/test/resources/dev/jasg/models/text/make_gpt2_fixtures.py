#!/usr/bin/env python3
"""Writes gpt2_fixtures.json and the tokenizer fixtures (tiny_vocab.json, tiny_merges.txt,
bpe_fixtures.json) for asg-models' Gpt2ParityTest and ByteLevelBpeTest.

Run: /usr/bin/python3 make_gpt2_fixtures.py   (Debian python3-torch 1.13 and python3-regex; no HF transformers)

GPT-2 here is Hugging Face's GPT2LMHeadModel architecture written in plain torch with HF's parameter
names and layouts (Conv1D weight [in, out], y = x W + b; tied lm_head; gelu_new; causal mask filled
with finfo.min after the (head_dim)^-0.5 scaling). Weights come from a formula Java computes too:
  w[i] = 1 + 0.1 sin(0.37 i + k)   for the layer norms' weights (ln_1, ln_2, ln_f)
  w[i] = 0.5 sin(0.37 i + k)       for every other tensor
with i the row-major index in HF's layout and k = 0.01 * (sum of the code points of the HF name).
The reference runs in float64 (weights rounded to float32 first), so its logits are the exact values.
"""
import json, math, os
import regex
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
CFG = dict(vocab_size=100, n_positions=64, n_embd=32, n_layer=2, n_head=2, layer_norm_epsilon=1e-5)


class Conv1D(torch.nn.Module):  # HF's Conv1D: weight [nx, nf]
    def __init__(self, nf, nx):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(nx, nf))
        self.bias = torch.nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        return x @ self.weight + self.bias


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Attention(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head, self.e = c["n_head"], c["n_embd"]
        self.c_attn = Conv1D(3 * self.e, self.e)
        self.c_proj = Conv1D(self.e, self.e)

    def heads(self, t):
        b, s, _ = t.shape
        return t.view(b, s, self.n_head, self.e // self.n_head).permute(0, 2, 1, 3)

    def forward(self, x, past=None):
        q, k, v = self.c_attn(x).split(self.e, dim=2)
        q, k, v = self.heads(q), self.heads(k), self.heads(v)
        if past is not None:  # HF's layer_past: keys/values of the earlier positions
            k, v = torch.cat([past[0], k], dim=-2), torch.cat([past[1], v], dim=-2)
        w = q @ k.transpose(-1, -2)
        w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype)
        lq, lk = q.size(-2), k.size(-2)
        causal = torch.tril(torch.ones(lk, lk, dtype=torch.bool))[lk - lq:lk, :lk]
        w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype))
        a = torch.softmax(w, dim=-1) @ v
        a = a.permute(0, 2, 1, 3).reshape(x.shape[0], x.shape[1], self.e)
        return self.c_proj(a), (k, v)


class Mlp(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = Conv1D(4 * c["n_embd"], c["n_embd"])
        self.c_proj = Conv1D(c["n_embd"], 4 * c["n_embd"])

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class Block(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        eps = c["layer_norm_epsilon"]
        self.ln_1 = torch.nn.LayerNorm(c["n_embd"], eps=eps)
        self.attn = Attention(c)
        self.ln_2 = torch.nn.LayerNorm(c["n_embd"], eps=eps)
        self.mlp = Mlp(c)

    def forward(self, x, past=None):
        a, present = self.attn(self.ln_1(x), past)
        x = x + a
        return x + self.mlp(self.ln_2(x)), present


class Gpt2(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = torch.nn.Embedding(c["vocab_size"], c["n_embd"])
        self.wpe = torch.nn.Embedding(c["n_positions"], c["n_embd"])
        self.h = torch.nn.ModuleList([Block(c) for _ in range(c["n_layer"])])
        self.ln_f = torch.nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"])

    def forward(self, ids, past=None, start=0):
        x = self.wte(ids) + self.wpe(torch.arange(start, start + ids.shape[1]))
        presents = []
        for i, block in enumerate(self.h):
            x, p = block(x, None if past is None else past[i])
            presents.append(p)
        return self.ln_f(x) @ self.wte.weight.t(), presents  # tied lm_head


def formula_weights(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            k = 0.01 * sum(ord(ch) for ch in name)
            i = torch.arange(p.numel(), dtype=torch.float64)
            s = torch.sin(0.37 * i + k)
            val = 1 + 0.1 * s if name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")) else 0.5 * s
            p.copy_(val.float().double().view(p.shape))


def model_fixture():
    torch.manual_seed(0)
    model = Gpt2(CFG).double()
    formula_weights(model)
    prompt = [7, 77, 11, 33, 55, 2, 91, 46]
    with torch.no_grad():
        logits, _ = model(torch.tensor([prompt]))
        # Greedy decoding with HF's KV cache (past keys/values), 32 new tokens.
        ids, gaps = list(prompt), []
        last, past = model(torch.tensor([prompt]))
        for _ in range(32):
            row = last[0, -1]
            top2 = torch.topk(row, 2).values
            gaps.append(float(top2[0] - top2[1]))
            nxt = int(torch.argmax(row))
            ids.append(nxt)
            last, past = model(torch.tensor([[nxt]]), past, start=len(ids) - 1)
        # The same without a cache (full recomputation) must agree.
        full = list(prompt)
        for _ in range(32):
            full.append(int(torch.argmax(model(torch.tensor([full]))[0][0, -1])))
        assert full == ids, "cache and full recomputation disagree"
    assert min(gaps) > 2e-4, "a greedy step is nearly a tie: %g" % min(gaps)
    names = [[n, list(p.shape)] for n, p in model.named_parameters()]
    return {"config": CFG, "parameters": names, "prompt": prompt, "logits": [round(float(v), 9) for v in logits[0].flatten()],
            "greedy": ids[len(prompt):], "min_top2_gap": min(gaps)}


# ---- byte-level BPE, GPT-2's reference algorithm ------------------------------------------------------
PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


B2U = bytes_to_unicode()


def words(text):
    return ["".join(B2U[b] for b in tok.encode("utf-8")) for tok in PAT.findall(text)]


def train(texts, vocab_size):
    """Most frequent adjacent pair first; ties go to the smallest (left, right) pair in string order."""
    freq = {}
    for t in texts:
        for w in words(t):
            freq[w] = freq.get(w, 0) + 1
    splits = {w: list(w) for w in freq}
    vocab = [B2U[b] for b in B2U]  # GPT-2's order: printable bytes first, then the remapped ones
    merges = []
    while len(vocab) < vocab_size:
        counts = {}
        for w, f in freq.items():
            s = splits[w]
            for a, b in zip(s, s[1:]):
                counts[(a, b)] = counts.get((a, b), 0) + f
        if not counts:
            break
        best = max(counts.values())
        pair = min(p for p, c in counts.items() if c == best)
        merges.append(pair)
        vocab.append(pair[0] + pair[1])
        for w in splits:
            s, out, i = splits[w], [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == pair[0] and s[i + 1] == pair[1]:
                    out.append(s[i] + s[i + 1]); i += 2
                else:
                    out.append(s[i]); i += 1
            splits[w] = out
    return vocab, merges


def bpe(word, ranks):
    """GPT-2's encoder.py bpe(): merge the lowest-ranked pair everywhere until none is ranked."""
    w = list(word)
    while len(w) > 1:
        pairs = set(zip(w, w[1:]))
        pair = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if pair not in ranks:
            break
        out, i = [], 0
        while i < len(w):
            if i + 1 < len(w) and w[i] == pair[0] and w[i + 1] == pair[1]:
                out.append(w[i] + w[i + 1]); i += 2
            else:
                out.append(w[i]); i += 1
        w = out
    return w


def encode(text, enc, ranks):
    return [enc[t] for w in words(text) for t in bpe(w, ranks)]


def decode(ids, vocab):
    b2u_inv = {u: b for b, u in B2U.items()}
    return bytes(b2u_inv[c] for i in ids for c in vocab[i]).decode("utf-8", errors="replace")


TRAIN = [
    "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs!",
    "It's 2024, and we've seen 3.14159 pies... they'll say I'm done, you'd agree?",
    "Привет, мир! Быстрая коричневая лиса прыгает через ленивую собаку.",
    "naïve café résumé — coöperate   with   spaces\tand\ttabs\n\nnew lines",
    "emoji 🙂🙂 and 漢字かな交じり文 with numbers 12345 67890",
]
CORPUS = [
    "", " ", "hello world", "Hello  World!!", "the fox's dog", "I'm sure they'll go; we've won", "don't DON'T",
    "3.14159 and 2,718", "   leading and trailing   ", "tabs\there\nand\r\nnewlines\n\n",
    "Привет, мир!", "naïve café", "emoji 🙂 🎉!", "漢字かな", "mixed123abc", "a\u00a0b\u3000c", "<|endoftext|>",
    "The quick brown fox jumps over the lazy dog.",
]


def tokenizer_fixture():
    vocab, merges = train(TRAIN, 256 + 120)
    vocab.append("<|endoftext|>")
    enc = {t: i for i, t in enumerate(vocab)}
    ranks = {p: i for i, p in enumerate(merges)}
    with open(os.path.join(HERE, "tiny_vocab.json"), "w", encoding="utf-8") as f:
        json.dump(enc, f, ensure_ascii=False)
    with open(os.path.join(HERE, "tiny_merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(a + " " + b + "\n")
    cases = []
    for s in CORPUS:
        ids = encode(s, enc, ranks)
        assert decode(ids, vocab) == s
        cases.append({"text": s, "ids": ids})
    return {"train_texts": TRAIN, "vocab_size": 256 + 120, "cases": cases}


if __name__ == "__main__":
    with open(os.path.join(HERE, "gpt2_fixtures.json"), "w") as f:
        json.dump(model_fixture(), f)
    with open(os.path.join(HERE, "bpe_fixtures.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_fixture(), f, ensure_ascii=False)
    print("wrote gpt2_fixtures.json, bpe_fixtures.json, tiny_vocab.json, tiny_merges.txt")
