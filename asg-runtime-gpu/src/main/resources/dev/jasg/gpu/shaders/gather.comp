#version 450
#include "common.glsl"
// See LayerKernels.gather.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer T { float table[]; };
layout(std430, binding = 2) readonly buffer I { float idx[]; };
layout(push_constant) uniform P { uint count; uint d; uint v; uint mode; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.count) return;
    uint n = i / pc.d, j = i - n * pc.d;
    float k = idx[n];
    o[i] = k >= 0.0 && k < float(pc.v) ? rnd(table[uint(k) * pc.d + j], pc.mode) : 0.0;
}
