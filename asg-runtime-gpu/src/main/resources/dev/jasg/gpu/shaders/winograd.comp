#version 450
#include "common.glsl"
// Winograd F(2x2, 3x3) transforms of a 3x3, stride-1 convolution (ConvKernels.winograd*, Lowering.winograd): the
// convolution becomes 16 products U[e] [O x C] V[e] [C x T] (T = N tilesH tilesW output tiles of 2 x 2), which the
// matrix kernel runs as one batched product, between these passes. STAGE 0, the weight: U[e][o][c] = (G g G^T)[e] for the
// 3x3 kernel g of output channel o and input channel c, read from conv2d's [O, C, 3, 3] or, FLIP 1, from a transposed
// convolution's [C, O, 3, 3] turned by 180 degrees (the transposed convolution of stride 1 is that conv2d). STAGE 1, the
// input: V[e][c][t] = (B^T d B)[e] for the 4 x 4 patch d of channel c under tile t, rows from 2 th - pt, columns from
// 2 tw - pl, zero outside the image. STAGE 2, the output: y[n][o][2 th + a][2 tw + b] = (A^T m A)[a][b], m[e] =
// M[e][o][t], the positions past the output's edge dropped. One invocation per (o, c), (c, t) or (o, t), t fastest, so
// the strided planes are written (read) along t. Push: STAGE 0: O, C; STAGE 1: C, H, W, T, tilesH, tilesW, pt, pl;
// STAGE 2: O, T, Ho, Wo, tilesH, tilesW, mode.
#ifndef FLIP
#define FLIP 0
#endif
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer In { float v[]; };
#if STAGE == 0
layout(push_constant) uniform P { uint O; uint C; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.O * pc.C) return;
    uint oc = i / pc.C, c = i - oc * pc.C;
    float g[3][3];
    [[unroll]] for (int r = 0; r < 3; r++) [[unroll]] for (int s = 0; s < 3; s++) {
#if FLIP
        g[r][s] = v[((c * pc.O + oc) * 3u + uint(2 - r)) * 3u + uint(2 - s)];
#else
        g[r][s] = v[((oc * pc.C + c) * 3u + uint(r)) * 3u + uint(s)];
#endif
    }
    // G g (4 x 3), G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
    float h[4][3];
    [[unroll]] for (int s = 0; s < 3; s++) {
        h[0][s] = g[0][s];
        h[1][s] = 0.5 * (g[0][s] + g[1][s] + g[2][s]);
        h[2][s] = 0.5 * (g[0][s] - g[1][s] + g[2][s]);
        h[3][s] = g[2][s];
    }
    uint plane = pc.O * pc.C;
    [[unroll]] for (int r = 0; r < 4; r++) {
        float u[4] = float[4](h[r][0], 0.5 * (h[r][0] + h[r][1] + h[r][2]), 0.5 * (h[r][0] - h[r][1] + h[r][2]), h[r][2]);
        [[unroll]] for (int s = 0; s < 4; s++) o[uint(r * 4 + s) * plane + i] = u[s];
    }
}
#elif STAGE == 1
layout(push_constant) uniform P { uint C; uint H; uint W; uint T; uint tilesH; uint tilesW; int pt; int pl; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.C * pc.T) return;
    uint c = i / pc.T, t = i - c * pc.T, per = pc.tilesH * pc.tilesW, n = t / per, rest = t - n * per, th = rest / pc.tilesW,
         tw = rest - th * pc.tilesW;
    int r0 = int(2u * th) - pc.pt, s0 = int(2u * tw) - pc.pl;
    uint base = (n * pc.C + c) * pc.H * pc.W;
    float d[4][4];
    [[unroll]] for (int r = 0; r < 4; r++) [[unroll]] for (int s = 0; s < 4; s++) {
        int rr = r0 + r, ss = s0 + s;
        d[r][s] = rr >= 0 && rr < int(pc.H) && ss >= 0 && ss < int(pc.W) ? v[base + uint(rr) * pc.W + uint(ss)] : 0.0;
    }
    // B^T d (rows), B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
    float h[4][4];
    [[unroll]] for (int s = 0; s < 4; s++) {
        h[0][s] = d[0][s] - d[2][s];
        h[1][s] = d[1][s] + d[2][s];
        h[2][s] = d[2][s] - d[1][s];
        h[3][s] = d[1][s] - d[3][s];
    }
    uint plane = pc.C * pc.T;
    [[unroll]] for (int r = 0; r < 4; r++) {
        float u[4] = float[4](h[r][0] - h[r][2], h[r][1] + h[r][2], h[r][2] - h[r][1], h[r][1] - h[r][3]);
        [[unroll]] for (int s = 0; s < 4; s++) o[uint(r * 4 + s) * plane + i] = u[s];
    }
}
#else
layout(push_constant) uniform P { uint O; uint T; uint Ho; uint Wo; uint tilesH; uint tilesW; uint mode; } pc;
void main() {
    uint i = flatId();
    if (i >= pc.O * pc.T) return;
    uint oc = i / pc.T, t = i - oc * pc.T, per = pc.tilesH * pc.tilesW, n = t / per, rest = t - n * per, th = rest / pc.tilesW,
         tw = rest - th * pc.tilesW;
    uint plane = pc.O * pc.T;
    float m[4][4];
    [[unroll]] for (int r = 0; r < 4; r++) [[unroll]] for (int s = 0; s < 4; s++) m[r][s] = v[uint(r * 4 + s) * plane + i];
    // A^T m (rows), A^T = [1 1 1 0; 0 1 -1 -1]
    float h[2][4];
    [[unroll]] for (int s = 0; s < 4; s++) {
        h[0][s] = m[0][s] + m[1][s] + m[2][s];
        h[1][s] = m[1][s] - m[2][s] - m[3][s];
    }
    uint r0 = 2u * th, s0 = 2u * tw, base = (n * pc.O + oc) * pc.Ho * pc.Wo;
    [[unroll]] for (uint a = 0u; a < 2u; a++) {
        float y0 = h[a][0] + h[a][1] + h[a][2], y1 = h[a][1] - h[a][2] - h[a][3];
        if (r0 + a < pc.Ho) {
            o[base + (r0 + a) * pc.Wo + s0] = rnd(y0, pc.mode);
            if (s0 + 1u < pc.Wo) o[base + (r0 + a) * pc.Wo + s0 + 1u] = rnd(y1, pc.mode);
        }
    }
}
#endif
