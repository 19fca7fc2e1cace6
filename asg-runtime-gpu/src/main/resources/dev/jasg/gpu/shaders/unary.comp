#version 450
#include "common.glsl"
#include "math.glsl"
// o[i] = rnd(EXPR) over n contiguous elements; EXPR reads x, a, b. Push: n, mode, a, b.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
layout(push_constant) uniform P { uint n; uint mode; float a; float b; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.n) return;
    float x = xs[i], a = pc.a, b = pc.b;
    o[i] = rnd(EXPR, pc.mode);
}
