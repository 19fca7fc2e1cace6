#version 450
#include "common.glsl"
// The second pass of a stream-K product (matmul.comp STREAMK): o[i] = rnd(sum of ws[r n + i] over the runs r = 0, 1, ...
// of element i's tile, in that order), so the result does not depend on scheduling. Runs of `steps` K steps each dealt
// out the tiles' steps laid end to end, `kSteps` a tile, so tile t's runs are those from t kSteps / steps to
// ((t + 1) kSteps - 1) / steps. Push: n (M N), N, BM, BN, kSteps, steps, mode.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer W { float ws[]; };
layout(push_constant) uniform P { uint n; uint cols; uint bm; uint bn; uint kSteps; uint steps; uint mode; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.n) return;
    uint tile = (i / pc.cols / pc.bm) * ((pc.cols + pc.bn - 1u) / pc.bn) + i % pc.cols / pc.bn;
    uint runs = ((tile + 1u) * pc.kSteps - 1u) / pc.steps - tile * pc.kSteps / pc.steps + 1u;
    float s = 0.0;
    for (uint r = 0u; r < runs; r++) s += ws[r * pc.n + i];
    o[i] = rnd(s, pc.mode);
}
