#version 450
#include "common.glsl"
// See LayerKernels.normalize.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
layout(push_constant) uniform P { uint nOut; uint R; uint kr; uint rr; uint kd[4]; uint ks[4]; uint rd[4]; uint rs[4];
                                  float eps; uint mode; } pc;
shared float part[256];
uint offsetOf(uint base, uint r) {
    uint off = base, u = r;
    for (int k = int(pc.rr) - 1; k >= 0; k--) {
        uint c = u % pc.rd[k];
        u /= pc.rd[k];
        off += c * pc.rs[k];
    }
    return off;
}
float total(float acc, uint lid) {
    part[lid] = acc;
    barrier();
    for (uint s = 128u; s > 0u; s >>= 1) {
        if (lid < s) part[lid] += part[lid + s];
        barrier();
    }
    float t = part[0];
    barrier();
    return t;
}
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
    float acc = 0.0;
    for (uint r = lid; r < pc.R; r += 256u) acc += xs[offsetOf(base, r)];
    float mean = total(acc, lid) / float(pc.R);
    acc = 0.0;
    for (uint r = lid; r < pc.R; r += 256u) {
        float c = xs[offsetOf(base, r)] - mean;
        acc += c * c;
    }
    float rstd = 1.0 / sqrt(total(acc, lid) / float(pc.R) + pc.eps);
    for (uint r = lid; r < pc.R; r += 256u) {
        uint off = offsetOf(base, r);
        o[off] = rnd((xs[off] - mean) * rstd, pc.mode);
    }
}
