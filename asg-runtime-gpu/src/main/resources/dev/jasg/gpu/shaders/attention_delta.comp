#version 450
#include "common.glsl"
// delta = rowsum(g o) for the fused attention gradients (AttentionKernels): a workgroup serves 16 rows, 16 invocations a
// row summing a strided share of its Ev columns, then one invocation adds the 16 partial sums in order (deterministic).
// Bindings: delta [rows], o [rows, Ev], g [rows, Ev]. Push: rows, Ev.
layout(std430, binding = 0) writeonly buffer D { float delta[]; };
layout(std430, binding = 1) readonly buffer O { float o[]; };
layout(std430, binding = 2) readonly buffer G { float g[]; };
layout(push_constant) uniform P { uint rows; uint Ev; } pc;
shared float part[16u * 17u];
void main() {
    uint tx = gl_LocalInvocationID.x % 16u, ty = gl_LocalInvocationID.x / 16u;
    uint row = groupId() * 16u + ty;
    float sum = 0.0;
    if (row < pc.rows) for (uint c = tx; c < pc.Ev; c += 16u) sum = fma(g[row * pc.Ev + c], o[row * pc.Ev + c], sum);
    part[ty * 17u + tx] = sum;
    barrier();
    if (tx != 0u || row >= pc.rows) return;
    float total = 0.0;
    for (uint t = 0u; t < 16u; t++) total += part[ty * 17u + t];
    delta[row] = total;
}
