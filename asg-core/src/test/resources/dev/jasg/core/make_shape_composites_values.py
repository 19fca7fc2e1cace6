"""Writes the PyTorch values ShapeCompositesTest compares the shape and indexing composites with.

Run from the repository root with Debian's python3-torch (1.13):
    /usr/bin/python3 asg-core/src/test/resources/dev/jasg/core/make_shape_composites_values.py
It rewrites the block between the "generated" markers of ShapeCompositesTest.java. Operand k of
every case is torch.arange(n, dtype=float64).reshape(shape) - k, as in the test.
"""
import pathlib
import re

import torch
import torch.nn.functional as F

MASK = torch.tensor([[True], [False], [True]])

# name -> (operand shapes, expression of the operands x0, x1, ...); the names match the Java rows.
CASES = {
    "pad constant": ([(3, 4)], lambda x0: F.pad(x0, (2, 1), value=-1.5)),
    "pad constant, negative pads crop": ([(3, 4)], lambda x0: F.pad(x0, (2, -1, 1, -1), value=0.5)),
    "pad reflect": ([(3, 4)], lambda x0: F.pad(x0, (2, 1), mode="reflect")),
    "pad reflect two axes": ([(1, 3, 4)], lambda x0: F.pad(x0, (1, 2, 1, 0), mode="reflect")),
    "pad reflect, negative pads": ([(1, 3, 4)], lambda x0: F.pad(x0, (-1, 3, 1, -1), mode="reflect")),
    "pad replicate, negative pads": ([(1, 3, 4)], lambda x0: F.pad(x0, (2, -1, 1, -1), mode="replicate")),
    "pad replicate beyond the size": ([(1, 4)], lambda x0: F.pad(x0, (5, 0), mode="replicate")),
    "pad circular": ([(1, 1, 4)], lambda x0: F.pad(x0, (2, 1), mode="circular")),
    "pad circular, a negative pad crops first": ([(1, 1, 4)], lambda x0: F.pad(x0, (-1, 3), mode="circular")),
    "pad circular two axes": ([(1, 1, 3, 4)], lambda x0: F.pad(x0, (1, 2, -1, 1), mode="circular")),
    "flip": ([(2, 3, 4)], lambda x0: torch.flip(x0, (0, 2))),
    "roll flattened, negative shift": ([(3, 4)], lambda x0: torch.roll(x0, -1)),
    "roll two axes": ([(3, 4)], lambda x0: torch.roll(x0, (1, -3), (0, 1))),
    "roll more than the size": ([(2, 3)], lambda x0: torch.roll(x0, 5, 1)),
    "repeat": ([(2, 3)], lambda x0: x0.repeat(2, 1, 2)),
    "tile": ([(2, 3)], lambda x0: torch.tile(x0, (2,))),
    "tril": ([(3, 4)], lambda x0: torch.tril(x0)),
    "tril diagonal -1 batched": ([(2, 3, 4)], lambda x0: torch.tril(x0, -1)),
    "tril diagonal 1": ([(3, 4)], lambda x0: torch.tril(x0, 1)),
    "triu": ([(3, 4)], lambda x0: torch.triu(x0)),
    "triu diagonal 2 batched": ([(2, 3, 4)], lambda x0: torch.triu(x0, 2)),
    "triu diagonal -1": ([(3, 4)], lambda x0: torch.triu(x0, -1)),
    "chunk: last piece": ([(7, 2)], lambda x0: torch.chunk(x0, 3, 0)[2]),
    "split by size: middle piece": ([(2, 5)], lambda x0: torch.split(x0, 2, 1)[1]),
    "split by sizes: middle piece": ([(2, 6)], lambda x0: torch.split(x0, [1, 3, 2], 1)[1]),
    "unflatten": ([(2, 12)], lambda x0: torch.unflatten(x0, 1, (3, -1))),
    "index_select axis 1": ([(3, 4)], lambda x0: torch.index_select(x0, 1, torch.tensor([3, 0, 3]))),
    "index_select axis 0": ([(3, 4)], lambda x0: torch.index_select(x0, 0, torch.tensor([2, 0]))),
    "masked_fill broadcast mask": ([(3, 4)], lambda x0: x0.masked_fill(MASK, -7.0)),
    "einsum ij,jk->ik": ([(2, 3), (3, 4)], lambda x0, x1: torch.einsum("ij,jk->ik", x0, x1)),
    "einsum bij,bjk->bik": ([(2, 2, 3), (2, 3, 2)], lambda x0, x1: torch.einsum("bij,bjk->bik", x0, x1)),
    "einsum bhqd,bhkd->bhqk": ([(1, 2, 2, 3), (1, 2, 3, 3)], lambda x0, x1: torch.einsum("bhqd,bhkd->bhqk", x0, x1)),
    "einsum ij->ji": ([(2, 3)], lambda x0: torch.einsum("ij->ji", x0)),
    "einsum ii->i": ([(3, 3)], lambda x0: torch.einsum("ii->i", x0)),
    "einsum ii": ([(3, 3)], lambda x0: torch.einsum("ii", x0)),
    "einsum iij->ji": ([(2, 2, 3)], lambda x0: torch.einsum("iij->ji", x0)),
    "einsum i,j->ij": ([(3,), (2,)], lambda x0, x1: torch.einsum("i,j->ij", x0, x1)),
    "einsum ij->": ([(3, 4)], lambda x0: torch.einsum("ij->", x0)),
    "einsum implicit cb,ba": ([(2, 3), (3, 4)], lambda x0, x1: torch.einsum("cb,ba", x0, x1)),
    "einsum ij,ij->i": ([(2, 3), (2, 3)], lambda x0, x1: torch.einsum("ij,ij->i", x0, x1)),
    "einsum bn,bn,nb->b": ([(2, 3), (2, 3), (3, 2)], lambda x0, x1, x2: torch.einsum("bn,bn,nb->b", x0, x1, x2)),
}


def num(v):
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def main():
    lines = []
    for name, (shapes, f) in CASES.items():
        ops = [torch.arange(torch.Size(s).numel(), dtype=torch.float64).reshape(s) - k for k, s in enumerate(shapes)]
        y = f(*ops)
        dims = ", ".join(str(d) for d in y.shape)
        vals = ", ".join(num(v) for v in y.flatten().tolist())
        lines.append(f'        e.put("{name}", new Expected(new int[] {{{dims}}}, new double[] {{{vals}}}));')
    test = pathlib.Path(__file__).resolve().parents[5] / "test/java/dev/jasg/core/ShapeCompositesTest.java"
    src = test.read_text()
    begin, end = "        // generated: begin\n", "        // generated: end\n"
    i, j = src.index(begin) + len(begin), src.index(end)
    test.write_text(src[:i] + "\n".join(lines) + "\n" + src[j:])


if __name__ == "__main__":
    main()
