#!/usr/bin/env python3
"""Writes recurrent_fixtures.json: PyTorch's RNN, LSTM and GRU (and their cells) on tiny inputs, with their
weights by PyTorch's parameter names, outputs, h_n, c_n, and the gradients of a fixed weighted sum of the
outputs with respect to the input and one weight. The `lengths` cases run through pack_padded_sequence
(enforce_sorted=False) and pad_packed_sequence(total_length=T). Debian: apt-get install python3-torch; then
  /usr/bin/python3 make_recurrent_fixtures.py   (writes next to itself)
Weights and inputs are rounded to 4 decimals so that the JSON stays small and the values are exact in it.
"""
import json
import os
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_default_dtype(torch.float32)
torch.manual_seed(14)


def r4(t):
    return torch.round(t * 1e4) / 1e4


def flat(t):
    return {"shape": list(t.shape), "data": [float("%.7g" % v) for v in t.detach().reshape(-1).tolist()]}


def exact(t):
    return {"shape": list(t.shape), "data": [round(v, 4) for v in t.detach().reshape(-1).tolist()]}


def layer_case(name, kind, T, N, inp, hid, layers=1, bias=True, batch_first=False, bidirectional=False,
               nonlinearity="tanh", lengths=None, h0=False, c0=False, grad_param="weight_hh_l0"):
    cls = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[kind]
    kw = dict(num_layers=layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional)
    if kind == "RNN":
        kw["nonlinearity"] = nonlinearity
    m = cls(inp, hid, **kw)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(r4(p))
    d = 2 if bidirectional else 1
    x = r4(torch.randn((N, T, inp) if batch_first else (T, N, inp))).requires_grad_(True)
    case = {"name": name, "kind": kind, "input_size": inp, "hidden_size": hid, "num_layers": layers, "bias": bias,
            "batch_first": batch_first, "bidirectional": bidirectional, "nonlinearity": nonlinearity,
            "x": exact(x), "params": {n: exact(p) for n, p in m.named_parameters()}}
    hx = None
    if h0:
        hh = r4(torch.randn(layers * d, N, hid))
        case["h0"] = exact(hh)
        if kind == "LSTM":
            cc = r4(torch.randn(layers * d, N, hid)) if c0 else torch.zeros(layers * d, N, hid)
            case["c0"] = exact(cc)
            hx = (hh, cc)
        else:
            hx = hh
    if lengths is not None:
        case["lengths"] = lengths
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        out, st = m(packed, hx)
        out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    else:
        out, st = m(x, hx)
    hn, cn = st if kind == "LSTM" else (st, None)
    w_out = r4(torch.randn(out.shape))
    w_h = r4(torch.randn(hn.shape))
    loss = (out * w_out).sum() + (hn * w_h).sum()
    case["w_out"], case["w_h"] = exact(w_out), exact(w_h)
    if cn is not None:
        w_c = r4(torch.randn(cn.shape))
        loss = loss + (cn * w_c).sum()
        case["w_c"] = exact(w_c)
        case["c_n"] = flat(cn)
    loss.backward()
    case["output"], case["h_n"] = flat(out), flat(hn)
    case["grad_x"] = flat(x.grad)
    case["grad_param_name"] = grad_param
    case["grad_param"] = flat(dict(m.named_parameters())[grad_param].grad)
    return case


def cell_case(name, kind, N, inp, hid, bias=True, nonlinearity="tanh", state=True):
    cls = {"RNN": torch.nn.RNNCell, "LSTM": torch.nn.LSTMCell, "GRU": torch.nn.GRUCell}[kind]
    m = cls(inp, hid, bias=bias, **({"nonlinearity": nonlinearity} if kind == "RNN" else {}))
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(r4(p))
    x = r4(torch.randn(N, inp)).requires_grad_(True)
    case = {"name": name, "kind": kind, "input_size": inp, "hidden_size": hid, "bias": bias,
            "nonlinearity": nonlinearity, "x": exact(x), "params": {n: exact(p) for n, p in m.named_parameters()}}
    hx = None
    if state:
        h = r4(torch.randn(N, hid))
        case["h0"] = exact(h)
        if kind == "LSTM":
            c = r4(torch.randn(N, hid))
            case["c0"] = exact(c)
            hx = (h, c)
        else:
            hx = h
    res = m(x, hx)
    h1, c1 = res if kind == "LSTM" else (res, None)
    w_h = r4(torch.randn(h1.shape))
    loss = (h1 * w_h).sum()
    case["w_h"] = exact(w_h)
    case["h_n"] = flat(h1)
    if c1 is not None:
        w_c = r4(torch.randn(c1.shape))
        loss = loss + (c1 * w_c).sum()
        case["w_c"] = exact(w_c)
        case["c_n"] = flat(c1)
    loss.backward()
    case["grad_x"] = flat(x.grad)
    case["grad_param_name"] = "weight_hh"
    case["grad_param"] = flat(m.weight_hh.grad)
    return case


T, H, I = 4, 3, 2
layers = [
    layer_case("lstm_2layers", "LSTM", T, 2, I, H, layers=2),
    layer_case("lstm_bidir_h0_c0", "LSTM", T, 2, I, H, layers=2, bidirectional=True, h0=True, c0=True,
               grad_param="weight_ih_l1_reverse"),
    layer_case("lstm_bidir_lengths", "LSTM", T, 3, I, H, layers=2, bidirectional=True, lengths=[2, 4, 1], h0=True,
               c0=True, grad_param="weight_hh_l0_reverse"),
    layer_case("lstm_batch_first_lengths_nobias", "LSTM", T, 3, I, H, bias=False, batch_first=True, lengths=[3, 1, 4]),
    layer_case("gru_2layers_h0", "GRU", T, 2, I, H, layers=2, h0=True),
    layer_case("gru_bidir_batch_first_lengths", "GRU", T, 3, I, H, layers=2, batch_first=True, bidirectional=True,
               lengths=[4, 2, 3], grad_param="bias_hh_l1_reverse"),
    layer_case("rnn_tanh_bidir", "RNN", T, 2, I, H, layers=2, bidirectional=True, h0=True),
    layer_case("rnn_relu_lengths", "RNN", T, 3, I, H, nonlinearity="relu", lengths=[1, 3, 4],
               grad_param="weight_ih_l0"),
]
cells = [
    cell_case("lstm_cell", "LSTM", 2, I, H),
    cell_case("lstm_cell_zero_state", "LSTM", 2, I, H, state=False),
    cell_case("gru_cell", "GRU", 2, I, H),
    cell_case("gru_cell_nobias_zero_state", "GRU", 2, I, H, bias=False, state=False),
    cell_case("rnn_cell_tanh", "RNN", 2, I, H),
    cell_case("rnn_cell_relu", "RNN", 2, I, H, nonlinearity="relu"),
]
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "recurrent_fixtures.json"), "w") as f:
    json.dump({"torch": torch.__version__, "layers": layers, "cells": cells}, f, separators=(",", ":"))
    f.write("\n")
