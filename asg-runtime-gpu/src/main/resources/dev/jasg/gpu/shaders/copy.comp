#version 450
#include "common.glsl"
// Strided copy: dst[do + idx.ds] = rnd(src[so + idx.ss]) for each multi-index idx of dims; serves expand,
// permute, slice, slice-scatter, concat and cast. Push: n, mode, rank, so, do, dims[6], ss[6], ds[6].
layout(std430, binding = 0) buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
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
    o[od] = rnd(xs[os], pc.mode);
}
