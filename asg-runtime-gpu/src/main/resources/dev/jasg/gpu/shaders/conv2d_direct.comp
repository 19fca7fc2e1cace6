#version 450
#include "common.glsl"
#include "conv_direct_push.glsl"
// Direct conv2d for thin operands: one invocation per output pixel and chunk of CH output channels (ConvKernels.conv2dDirect).
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer Wt { float w[]; };
void main() {
    uint id = flatId();
    if (id >= uint(pc.count)) return;
    int e = int(id), chunks = (pc.Og + CH - 1) / CH;
    int q = e % pc.Wo, t = e / pc.Wo, p = t % pc.Ho;
    t /= pc.Ho;
    int ch = t % chunks;
    t /= chunks;
    int grp = t % pc.G, n = t / pc.G;
    int o0 = grp * pc.Og + ch * CH, nv = min(CH, pc.Og - ch * CH), khw = pc.kh * pc.kw;
    // rows of the chunk's weights; past the group's last channel they repeat it (loaded, never stored)
    int wb[CH];
    [[unroll]] for (int u = 0; u < CH; u++) wb[u] = (o0 + min(u, nv - 1)) * (pc.Cg * khw);
    int r0 = p * pc.sh - pc.pt, s0 = q * pc.sw - pc.pl, hw = pc.H * pc.W;
    int xb = (n * pc.C + grp * pc.Cg) * hw;
    float acc[CH];
    [[unroll]] for (int u = 0; u < CH; u++) acc[u] = 0.0;
    for (int c = 0; c < pc.Cg; c++) {
        for (int i = 0; i < pc.kh; i++) {
            int r = r0 + i * pc.dh;
            if (r < 0 || r >= pc.H) continue;
            for (int j = 0; j < pc.kw; j++) {
                int s = s0 + j * pc.dw;
                if (s < 0 || s >= pc.W) continue;
                float v = x[xb + c * hw + r * pc.W + s];
                int k = c * khw + i * pc.kw + j;
                [[unroll]] for (int u = 0; u < CH; u++) acc[u] = fma(v, w[wb[u] + k], acc[u]);
            }
        }
    }
    int ob = ((n * pc.O + o0) * pc.Ho + p) * pc.Wo + q, plane = pc.Ho * pc.Wo;
    for (int k = 0; k < nv; k++) y[ob + k * plane] = rnd(acc[k], pc.mode);
}
