#version 450
#include "common.glsl"
// The second pass of a reduction split over workgroups (ConvKernels.splitSum): o[i] = rnd(sum of ws[z n + i] over the
// splits z = 0, 1, ... in that order), so the result does not depend on scheduling. Push: n, splits, mode.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer W { float ws[]; };
layout(push_constant) uniform P { uint n; uint splits; uint mode; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.n) return;
    float s = 0.0;
    for (uint z = 0u; z < pc.splits; z++) s += ws[z * pc.n + i];
    o[i] = rnd(s, pc.mode);
}
