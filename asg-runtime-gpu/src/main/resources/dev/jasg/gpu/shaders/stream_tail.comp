#version 450
#include "common.glsl"
// The second pass of a product whose last tiles ran in stream-K runs (matmul.comp TAIL): the tail's tiles laid out
// whole, BM x BN each, tile s of the tail at slot r * tails + s for its run of rank r; element i of the n = tails BM BN is
// row i / BN % BM, column i % BN of tail tile i / (BM BN), which is tile head + s of the product's (tilesN a row of tiles).
// o[row, col] = sum of its tile's runs' partials, rank 0, 1, ... in that order (so the result does not depend on
// scheduling), for the elements inside the M x N result. Runs of `steps` K steps dealt out the tail's steps laid end to
// end, kSteps a tile, so tail tile s's runs are those from s kSteps / steps to ((s + 1) kSteps - 1) / steps.
// Push: n, M, N, BM, BN, tilesN, head, kSteps, steps.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer W { float ws[]; };
layout(push_constant) uniform P { uint n; uint rows; uint cols; uint bm; uint bn; uint tilesN; uint head; uint kSteps; uint steps; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.n) return;
    uint area = pc.bm * pc.bn, s = i / area, tile = pc.head + s;
    uint row = (tile / pc.tilesN) * pc.bm + i % area / pc.bn, col = (tile % pc.tilesN) * pc.bn + i % pc.bn;
    if (row >= pc.rows || col >= pc.cols) return;
    uint tails = pc.n / area;
    uint runs = ((s + 1u) * pc.kSteps - 1u) / pc.steps - s * pc.kSteps / pc.steps + 1u;
    float sum = 0.0;
    for (uint r = 0u; r < runs; r++) sum += ws[(r * tails + s) * area + i % area];
    o[row * pc.cols + col] = sum;
}
