#version 450
#include "common.glsl"
#include "conv_direct_push.glsl"
// Direct weight gradient, one workgroup per kernel element (ConvKernels.weightGradDirect).
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer Gr { float g[]; };
shared float part[256];
void main() {
    int e = int(groupId());
    if (e >= pc.count) return;
    int lid = int(gl_LocalInvocationID.x);
    int j = e % pc.kw, t = e / pc.kw, i = t % pc.kh;
    t /= pc.kh;
    int c = t % pc.Cg, o = t / pc.Cg;
    int hw = pc.H * pc.W, ghw = pc.Ho * pc.Wo;
    int xc = ((o / pc.Og) * pc.Cg + c) * hw;
    int dr = i * pc.dh - pc.pt, ds = j * pc.dw - pc.pl;
    float acc = 0.0;
    for (int k = lid; k < pc.N * ghw; k += 256) {
        int n = k / ghw, pq = k - n * ghw, p = pq / pc.Wo, q = pq - p * pc.Wo;
        int r = p * pc.sh + dr, s = q * pc.sw + ds;
        if (r >= 0 && r < pc.H && s >= 0 && s < pc.W) acc += g[(n * pc.O + o) * ghw + pq] * x[n * pc.C * hw + xc + r * pc.W + s];
    }
    part[lid] = acc;
    barrier();
    for (int st = 128; st > 0; st >>= 1) {
        if (lid < st) part[lid] += part[lid + st];
        barrier();
    }
    if (lid == 0) y[e] = rnd(part[0], pc.mode);
}
