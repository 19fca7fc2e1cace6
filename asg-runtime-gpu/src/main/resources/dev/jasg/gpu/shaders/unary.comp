#version 450
#include "common.glsl"
#include "math.glsl"
// o[i] = rnd(EXPR) over n contiguous elements, ELEMS an invocation; EXPR reads x, a, b. Push: n, mode, a, b.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
layout(push_constant) uniform P { uint n; uint mode; float a; float b; } pc;
float element(uint i) {
    float x = xs[i], a = pc.a, b = pc.b;
    return rnd(EXPR, pc.mode);
}
#include "flat_elements.glsl"
