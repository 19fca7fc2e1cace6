#version 450
#include "common.glsl"
// o[i] = m[bm(i)] != 0 ? a[ba(i)] : b[bb(i)]. Push: n, mode, rank, dims[6], sm[6], sa[6], sb[6].
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer M { float ms[]; };
layout(std430, binding = 2) readonly buffer A { float as_[]; };
layout(std430, binding = 3) readonly buffer B { float bs[]; };
layout(push_constant) uniform P { uint n; uint mode; uint rank; uint d[6]; uint sm[6]; uint sa[6]; uint sb[6]; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.n) return;
    uint t = i, om = 0u, oa = 0u, ob = 0u;
    for (int k = int(pc.rank) - 1; k >= 0; k--) {
        uint c = t % pc.d[k];
        t /= pc.d[k];
        om += c * pc.sm[k];
        oa += c * pc.sa[k];
        ob += c * pc.sb[k];
    }
    o[i] = rnd(ms[om] != 0.0 ? as_[oa] : bs[ob], pc.mode);
}
