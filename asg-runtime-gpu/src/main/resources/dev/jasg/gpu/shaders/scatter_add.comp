#version 450
#include "common.glsl"
// See LayerKernels.scatterAdd.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer U { float upd[]; };
layout(std430, binding = 2) readonly buffer I { float idx[]; };
layout(push_constant) uniform P { uint count; uint d; uint n; uint mode; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.count) return;
    uint s = i / pc.d, j = i - s * pc.d;
    float row = float(s);
    float acc = 0.0;
    for (uint k = 0u; k < pc.n; k++) {
        if (idx[k] == row) acc += upd[k * pc.d + j];
    }
    o[i] = rnd(acc, pc.mode);
}
