#version 450
#include "common.glsl"
#include "math.glsl"
// o[i] = rnd(EXPR) over n contiguous elements, ELEMS an invocation; EXPR reads x, a, b. Push: n, mode, a, b.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
layout(push_constant) uniform P { uint n; uint mode; float a; float b; } pc;
void main() {
    // ELEMS elements an invocation: every load first, then every store
    float v[ELEMS];
    [[unroll]] for (uint u = 0u; u < ELEMS; u++) {
        uint i = flatIdOf(u);
        float x = i < pc.n ? xs[i] : 0.0, a = pc.a, b = pc.b;
        v[u] = rnd(EXPR, pc.mode);
    }
    [[unroll]] for (uint u = 0u; u < ELEMS; u++) {
        uint i = flatIdOf(u);
        if (i < pc.n) o[i] = v[u];
    }
}
