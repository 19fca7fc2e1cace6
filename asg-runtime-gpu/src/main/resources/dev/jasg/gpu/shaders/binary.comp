#version 450
#include "common.glsl"
#include "math.glsl"
// o[i] = rnd(EXPR) with x, y read through broadcast strides, ELEMS elements an invocation. Push: n, mode, rank, dims[6], sx[6], sy[6].
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
layout(std430, binding = 2) readonly buffer Y { float ys[]; };
layout(push_constant) uniform P { uint n; uint mode; uint rank; uint d[6]; uint sx[6]; uint sy[6]; } pc;
float element(uint i) {
    uint t = i, ox = 0u, oy = 0u;
    for (int k = int(pc.rank) - 1; k >= 0; k--) {
        uint c = t % pc.d[k];
        t /= pc.d[k];
        ox += c * pc.sx[k];
        oy += c * pc.sy[k];
    }
    float x = xs[ox], y = ys[oy];
    return rnd(EXPR, pc.mode);
}
#include "flat_elements.glsl"
