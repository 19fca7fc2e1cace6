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


class BertLike(torch.nn.Module):
    """A BERT-style encoder written as Hugging Face's BertModel is (token, position and token-type embeddings, the
    extended attention mask (1 - mask) * finfo.min from an input, heads split by view(size()[:-1] + (h, d)) and
    permute, erf GELU, post-LayerNorm residuals, a tanh pooler over the first token)."""

    def __init__(self, vocab=24, hidden=16, heads=2, layers=2, inter=32, max_pos=16):
        super().__init__()
        self.heads, self.head_size = heads, hidden // heads
        self.word_embeddings = torch.nn.Embedding(vocab, hidden)
        self.position_embeddings = torch.nn.Embedding(max_pos, hidden)
        self.token_type_embeddings = torch.nn.Embedding(2, hidden)
        self.emb_norm = torch.nn.LayerNorm(hidden, eps=1e-12)
        self.register_buffer("position_ids", torch.arange(max_pos).expand((1, -1)))
        self.register_buffer("token_type_ids", torch.zeros((1, max_pos), dtype=torch.long))
        self.layers = torch.nn.ModuleList()
        for _ in range(layers):
            m = torch.nn.ModuleDict({
                "query": torch.nn.Linear(hidden, hidden), "key": torch.nn.Linear(hidden, hidden),
                "value": torch.nn.Linear(hidden, hidden), "attn_out": torch.nn.Linear(hidden, hidden),
                "attn_norm": torch.nn.LayerNorm(hidden, eps=1e-12), "inter": torch.nn.Linear(hidden, inter),
                "out": torch.nn.Linear(inter, hidden), "out_norm": torch.nn.LayerNorm(hidden, eps=1e-12)})
            self.layers.append(m)
        self.pooler = torch.nn.Linear(hidden, hidden)
        self.drop = torch.nn.Dropout(0.1)

    def split_heads(self, x):
        new_shape = x.size()[:-1] + (self.heads, self.head_size)
        return x.view(new_shape).permute(0, 2, 1, 3)

    def forward(self, input_ids, attention_mask):
        batch, seq = input_ids.size()
        position_ids = self.position_ids[:, :seq]
        token_type_ids = self.token_type_ids[:, :seq].expand(batch, seq)
        h = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids) + self.position_embeddings(position_ids)
        h = self.drop(self.emb_norm(h))
        ext = attention_mask[:, None, None, :].to(dtype=torch.float32)
        ext = (1.0 - ext) * torch.finfo(torch.float32).min
        for m in self.layers:
            q, k, v = self.split_heads(m["query"](h)), self.split_heads(m["key"](h)), self.split_heads(m["value"](h))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_size) + ext
            probs = self.drop(torch.nn.functional.softmax(scores, dim=-1))
            ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
            ctx = ctx.view(ctx.size()[:-2] + (self.heads * self.head_size,))
            h = m["attn_norm"](self.drop(m["attn_out"](ctx)) + h)
            i = torch.nn.functional.gelu(m["inter"](h))
            h = m["out_norm"](self.drop(m["out"](i)) + h)
        pooled = torch.tanh(self.pooler(h[:, 0]))
        return h, pooled


class Conv1D(torch.nn.Module):
    """GPT-2's Conv1D: a linear layer with the weight stored [in, out], applied by addmm on the flattened rows."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = torch.nn.Parameter(torch.zeros(nx, nf))
        self.bias = torch.nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        size_out = x.size()[:-1] + (self.nf,)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


class Gpt2Like(torch.nn.Module):
    """A GPT-2-style decoder written as Hugging Face's GPT2Model/GPT2LMHeadModel is: positions by arange, a padding
    mask input turned into (1 - mask) * finfo.min, Conv1D (addmm) projections, q/k/v by split, the tanh-form GELU,
    pre-LayerNorm blocks, a tied head. Block 0 masks causally as HF does (the tril buffer sliced to the sequence
    length, then where(mask, w, finfo.min)); block 1 as plain torch code does (tril of ones built in-graph from the
    sequence length, then masked_fill with -inf)."""

    def __init__(self, vocab=24, n_embd=16, heads=2, layers=2, n_pos=16):
        super().__init__()
        self.heads, self.n_embd = heads, n_embd
        self.wte = torch.nn.Embedding(vocab, n_embd)
        self.wpe = torch.nn.Embedding(n_pos, n_embd)
        self.register_buffer("bias", torch.tril(torch.ones((n_pos, n_pos), dtype=torch.bool)).view(1, 1, n_pos, n_pos))
        self.blocks = torch.nn.ModuleList()
        for _ in range(layers):
            self.blocks.append(torch.nn.ModuleDict({
                "ln_1": torch.nn.LayerNorm(n_embd), "c_attn": Conv1D(3 * n_embd, n_embd), "c_proj": Conv1D(n_embd, n_embd),
                "ln_2": torch.nn.LayerNorm(n_embd), "c_fc": Conv1D(4 * n_embd, n_embd), "c_proj2": Conv1D(n_embd, 4 * n_embd)}))
        self.ln_f = torch.nn.LayerNorm(n_embd)
        self.drop = torch.nn.Dropout(0.1)

    def split_heads(self, x):
        new_shape = x.size()[:-1] + (self.heads, self.n_embd // self.heads)
        return x.view(new_shape).permute(0, 2, 1, 3)

    def merge_heads(self, x):
        x = x.permute(0, 2, 1, 3).contiguous()
        return x.view(x.size()[:-2] + (self.n_embd,))

    @staticmethod
    def gelu_new(x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

    def forward(self, input_ids, attention_mask):
        input_shape = input_ids.size()
        input_ids = input_ids.view(-1, input_shape[-1])
        batch = input_ids.shape[0]
        position_ids = torch.arange(0, input_shape[-1], dtype=torch.long).unsqueeze(0).view(-1, input_shape[-1])
        mask = attention_mask.view(batch, -1)[:, None, None, :].to(dtype=torch.float32)
        mask = (1.0 - mask) * torch.finfo(torch.float32).min
        h = self.drop(self.wte(input_ids) + self.wpe(position_ids))
        for j, m in enumerate(self.blocks):
            a = m["ln_1"](h)
            q, k, v = m["c_attn"](a).split(self.n_embd, dim=2)
            q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
            w = torch.matmul(q, k.transpose(-1, -2))
            w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype)
            ql, kl = q.size(-2), k.size(-2)
            if j == 0:
                causal = self.bias[:, :, kl - ql:kl, :kl]
                w = torch.where(causal, w, torch.full([], torch.finfo(w.dtype).min, dtype=w.dtype))
            else:
                upper = torch.triu(torch.ones(ql, kl, dtype=torch.bool), diagonal=1)
                w = w.masked_fill(upper, float("-inf"))
            w = self.drop(torch.nn.functional.softmax(w + mask, dim=-1))
            h = h + self.drop(m["c_proj"](self.merge_heads(torch.matmul(w, v))))
            h = h + self.drop(m["c_proj2"](self.gelu_new(m["c_fc"](m["ln_2"](h)))))
        h = self.ln_f(h).view(input_shape + (h.size(-1),))
        return torch.matmul(h, self.wte.weight.t())


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


def export_text(model, ids, mask, path, outputs):
    # as users export: constant folding on; batch and sequence dynamic
    dyn = {"input_ids": {0: "B", 1: "T"}, "attention_mask": {0: "B", 1: "T"}}
    for o in outputs:
        dyn[o] = {0: "B", 1: "T"} if o != "pooler_output" else {0: "B"}
    torch.onnx.export(model, (ids, mask), path, opset_version=17, input_names=["input_ids", "attention_mask"],
                      output_names=outputs, dynamic_axes=dyn)


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

# text models: two sequences of length 5, the second padded after 3 tokens
ids = torch.tensor([[3, 14, 15, 9, 2], [6, 5, 23, 1, 0]], dtype=torch.long)
mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.long)
for name, model, outputs in [("bert", BertLike(), ["last_hidden_state", "pooler_output"]), ("gpt2", Gpt2Like(), ["logits"])]:
    init(model)
    export_text(model, ids, mask, name + ".onnx", outputs)
    with torch.no_grad():
        ys = model(ids, mask)
    ys = ys if isinstance(ys, tuple) else (ys,)
    fixtures[name] = {"input_ids": ids.flatten().tolist(), "attention_mask": mask.flatten().tolist(), "input_shape": list(ids.shape),
                      "outputs": {o: {"shape": list(y.shape), "values": y.flatten().tolist()} for o, y in zip(outputs, ys)}}

with open("onnx_fixtures.json", "w") as f:
    json.dump(fixtures, f, indent=1)
