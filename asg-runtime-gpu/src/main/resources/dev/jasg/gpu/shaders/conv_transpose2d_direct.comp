#version 450
#include "common.glsl"
#include "conv_direct_push.glsl"
// Direct conv_transpose2d: one invocation per output pixel and chunk of CH channels (ConvKernels.convTranspose2dDirect).
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer Wt { float w[]; };
// First tap t in [0, min(k, step)) with (base - t d) a non-negative multiple of st; k when none.
int firstTap(int base, int d, int st, int k, int step) {
    for (int t = 0; t < min(k, step); t++) {
        int x = base - t * d;
        if (x < 0) return k;
        if ((x / st) * st == x) return t;
    }
    return k;
}
void main() {
    uint id = flatId();
    if (id >= uint(pc.count)) return;
    int e = int(id), chunks = (pc.Og + CH - 1) / CH;
    int s = e % pc.Wo, t = e / pc.Wo, r = t % pc.Ho;
    t /= pc.Ho;
    int ch = t % chunks;
    t /= chunks;
    int grp = t % pc.G, n = t / pc.G;
    int c0 = ch * CH, nv = min(CH, pc.Og - c0), khw = pc.kh * pc.kw, hw = pc.H * pc.W;
    int wo[CH];
    [[unroll]] for (int u = 0; u < CH; u++) wo[u] = (c0 + min(u, nv - 1)) * khw;
    int rb = r + pc.pt, sb = s + pc.pl;
    int i0 = firstTap(rb, pc.dh, pc.sh, pc.kh, pc.iStep), j0 = firstTap(sb, pc.dw, pc.sw, pc.kw, pc.jStep);
    float acc[CH];
    [[unroll]] for (int u = 0; u < CH; u++) acc[u] = 0.0;
    for (int c = 0; c < pc.Cg; c++) {
        int ci = grp * pc.Cg + c;
        int xb = (n * pc.C + ci) * hw, wb = ci * pc.Og * khw;
        for (int i = i0; i < pc.kh; i += pc.iStep) {
            int pn = rb - i * pc.dh;
            if (pn < 0) break;
            int p = pn / pc.sh;
            if (p >= pc.H) continue;
            for (int j = j0; j < pc.kw; j += pc.jStep) {
                int qn = sb - j * pc.dw;
                if (qn < 0) break;
                int q = qn / pc.sw;
                if (q >= pc.W) continue;
                float v = x[xb + p * pc.W + q];
                int k = wb + i * pc.kw + j;
                [[unroll]] for (int u = 0; u < CH; u++) acc[u] = fma(v, w[k + wo[u]], acc[u]);
            }
        }
    }
    int ob = ((n * pc.O + grp * pc.Og + c0) * pc.Ho + r) * pc.Wo + s, plane = pc.Ho * pc.Wo;
    for (int k = 0; k < nv; k++) y[ob + k * plane] = rnd(acc[k], pc.mode);
}
