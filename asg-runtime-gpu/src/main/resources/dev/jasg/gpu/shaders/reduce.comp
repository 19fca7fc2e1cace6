#version 450
#include "common.glsl"
// One workgroup per output element folds the R elements that map to it (a strided loop, then a tree in shared
// memory); kept and reduced axes arrive as up to four merged groups each. Defines: IDENTITY, COMBINE(acc, v),
// FINISH(acc). Push: nOut, R, kr, rr, kd[4], ks[4], rd[4], rs[4], mode.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
layout(push_constant) uniform P { uint nOut; uint R; uint kr; uint rr; uint kd[4]; uint ks[4]; uint rd[4]; uint rs[4]; uint mode; } pc;
shared float part[256];
float combine(float acc, float v) { return COMBINE(acc, v); }
void main() {
    uint oi = groupId();
    if (oi >= pc.nOut) return;
    uint lid = gl_LocalInvocationID.x;
    uint base = 0u, t = oi;
    for (int k = int(pc.kr) - 1; k >= 0; k--) {
        uint c = t % pc.kd[k];
        t /= pc.kd[k];
        base += c * pc.ks[k];
    }
    float acc = IDENTITY;
    for (uint r = lid; r < pc.R; r += 256u) {
        uint off = base, u = r;
        for (int k = int(pc.rr) - 1; k >= 0; k--) {
            uint c = u % pc.rd[k];
            u /= pc.rd[k];
            off += c * pc.rs[k];
        }
        acc = combine(acc, xs[off]);
    }
    part[lid] = acc;
    barrier();
    for (uint s = 128u; s > 0u; s >>= 1) {
        if (lid < s) part[lid] = combine(part[lid], part[lid + s]);
        barrier();
    }
    if (lid == 0u) {
        acc = part[0];
        o[oi] = rnd(FINISH(acc), pc.mode);
    }
}
