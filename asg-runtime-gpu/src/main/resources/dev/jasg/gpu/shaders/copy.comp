#version 450
#include "common.glsl"
// Strided copy: dst[do + idx.ds] = rnd(src[so + idx.ss]) for each multi-index idx of dims; serves expand,
// permute, slice, slice-scatter, concat and cast. Push: n, mode, rank, so, do, dims[6], ss[6], ds[6]. VEC4 1: the
// same in units of four floats (the innermost axis contiguous on both sides and every offset and stride a multiple of
// four, Lowering.copy), so an attention head's permute moves 16 bytes an invocation with a quarter of the index work.
#ifndef VEC4
#define VEC4 0
#endif
#if VEC4
layout(std430, binding = 0) buffer O { vec4 o[]; };
layout(std430, binding = 1) readonly buffer X { vec4 xs[]; };
#else
layout(std430, binding = 0) buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
#endif
layout(push_constant) uniform P { uint n; uint mode; uint rank; uint so; uint do_; uint d[6]; uint ss[6]; uint ds[6]; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.n) return;
    uint t = i, os = pc.so, od = pc.do_;
    for (int k = int(pc.rank) - 1; k >= 0; k--) {
        uint c = t % pc.d[k];
        t /= pc.d[k];
        os += c * pc.ss[k];
        od += c * pc.ds[k];
    }
#if VEC4
    vec4 v = xs[os];
    o[od] = vec4(rnd(v.x, pc.mode), rnd(v.y, pc.mode), rnd(v.z, pc.mode), rnd(v.w, pc.mode));
#else
    o[od] = rnd(xs[os], pc.mode);
#endif
}
