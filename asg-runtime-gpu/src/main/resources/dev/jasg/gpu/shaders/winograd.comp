#version 450
#include "common.glsl"
// Winograd F(2x2, 3x3) transforms of a 3x3, stride-1 convolution (ConvKernels.winograd*, Lowering.winograd): the
// convolution becomes 16 products U[e] [O x C] V[e] [C x T] (T = N tilesH tilesW output tiles of 2 x 2), which the
// matrix kernel runs as one batched product, between these passes. STAGE 0, the weight: U[e][o][c] = (G g G^T)[e] for the
// 3x3 kernel g of output channel o and input channel c, read from conv2d's [O, C, 3, 3] or, FLIP 1, from a transposed
// convolution's [C, O, 3, 3] turned by 180 degrees (the transposed convolution of stride 1 is that conv2d). STAGE 1, the
// input: V[e][s][c][u] = (B^T d B)[e] for the 4 x 4 patch d of channel c under tile t = s Tc + u, rows from 2 th - pt,
// columns from 2 tw - pl, zero outside the image (and zero for the padding tiles t >= T): the tiles in S chunks of Tc
// (the forward: one chunk). STAGE 2, the output: y[n][o][2 th + a][2 tw + b] = (A^T m A)[a][b], m[e] = M[e][o][t], the
// positions past the output's edge dropped. The kernel gradient: STAGE 3, the output gradient: D[e][s][o][u] =
// (A g A^T)[e] for the 2 x 2 tile g of channel o at tile t = s Tc + u (zero past the gradient's edge); the matrix kernel
// then multiplies P[e][s] = D[e][s] V[e][s]^T [O x C] for every e and chunk s; STAGE 4: dw[o][c] = G^T (sum over s of
// P[e][s][o][c], in order) G. One invocation per (o, c), (s, c, u), (o, t) or (s, o, u), the last fastest, so the
// strided planes are written (read) along it. Push: STAGE 0: O, C; STAGE 1: C, H, W, T, tilesH, tilesW, pt, pl, Tc, S;
// STAGE 2: O, T, Ho, Wo, tilesH, tilesW, mode; STAGE 3: O, Ho, Wo, T, tilesH, tilesW, Tc, S; STAGE 4: O, C, S, mode.
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
#elif STAGE == 1 || STAGE == 3
#if STAGE == 1
layout(push_constant) uniform P { uint C; uint H; uint W; uint T; uint tilesH; uint tilesW; int pt; int pl; uint Tc; uint S; } pc;
#else
layout(push_constant) uniform P { uint C; uint H; uint W; uint T; uint tilesH; uint tilesW; uint Tc; uint S; } pc;
#endif
void main() {
    uint i = flatId(), plane = pc.S * pc.C * pc.Tc;
    if (i >= plane) return;
    uint u = i % pc.Tc, sc = i / pc.Tc, c = sc % pc.C, t = (sc / pc.C) * pc.Tc + u;
    float h[4][4];
    if (t >= pc.T) {
        [[unroll]] for (int r = 0; r < 4; r++) [[unroll]] for (int q = 0; q < 4; q++) h[r][q] = 0.0;
    } else {
        uint per = pc.tilesH * pc.tilesW, n = t / per, rest = t - n * per, th = rest / pc.tilesW, tw = rest - th * pc.tilesW;
        uint base = (n * pc.C + c) * pc.H * pc.W;
#if STAGE == 1
        int r0 = int(2u * th) - pc.pt, s0 = int(2u * tw) - pc.pl;
        float d[4][4];
        [[unroll]] for (int r = 0; r < 4; r++) [[unroll]] for (int q = 0; q < 4; q++) {
            int rr = r0 + r, ss = s0 + q;
            d[r][q] = rr >= 0 && rr < int(pc.H) && ss >= 0 && ss < int(pc.W) ? v[base + uint(rr) * pc.W + uint(ss)] : 0.0;
        }
        // B^T d (rows), B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]; then each row times B
        float b[4][4];
        [[unroll]] for (int q = 0; q < 4; q++) {
            b[0][q] = d[0][q] - d[2][q];
            b[1][q] = d[1][q] + d[2][q];
            b[2][q] = d[2][q] - d[1][q];
            b[3][q] = d[1][q] - d[3][q];
        }
        [[unroll]] for (int r = 0; r < 4; r++) {
            h[r][0] = b[r][0] - b[r][2];
            h[r][1] = b[r][1] + b[r][2];
            h[r][2] = b[r][2] - b[r][1];
            h[r][3] = b[r][1] - b[r][3];
        }
#else
        uint r0 = 2u * th, s0 = 2u * tw;
        float g[2][2];
        [[unroll]] for (uint r = 0u; r < 2u; r++) [[unroll]] for (uint q = 0u; q < 2u; q++) {
            g[r][q] = r0 + r < pc.H && s0 + q < pc.W ? v[base + (r0 + r) * pc.W + s0 + q] : 0.0;
        }
        // A g (rows), A = [1 0; 1 1; 1 -1; 0 -1]; then each row times A^T
        float b[4][2];
        [[unroll]] for (int q = 0; q < 2; q++) {
            b[0][q] = g[0][q];
            b[1][q] = g[0][q] + g[1][q];
            b[2][q] = g[0][q] - g[1][q];
            b[3][q] = -g[1][q];
        }
        [[unroll]] for (int r = 0; r < 4; r++) {
            h[r][0] = b[r][0];
            h[r][1] = b[r][0] + b[r][1];
            h[r][2] = b[r][0] - b[r][1];
            h[r][3] = -b[r][1];
        }
#endif
    }
    [[unroll]] for (int r = 0; r < 4; r++) [[unroll]] for (int q = 0; q < 4; q++) o[uint(r * 4 + q) * plane + i] = h[r][q];
}
#elif STAGE == 4
layout(push_constant) uniform P { uint O; uint C; uint S; uint mode; } pc;
void main() {
    uint i = flatId(), oc = pc.O * pc.C;
    if (i >= oc) return;
    float p[4][4];
    [[unroll]] for (int r = 0; r < 4; r++) [[unroll]] for (int q = 0; q < 4; q++) {
        float sum = 0.0;
        uint at = uint(r * 4 + q) * pc.S * oc + i;
        for (uint s = 0u; s < pc.S; s++) sum += v[at + s * oc];
        p[r][q] = sum;
    }
    // G^T p (rows), G^T = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1]; then each row times G
    float b[3][4];
    [[unroll]] for (int q = 0; q < 4; q++) {
        b[0][q] = p[0][q] + 0.5 * (p[1][q] + p[2][q]);
        b[1][q] = 0.5 * (p[1][q] - p[2][q]);
        b[2][q] = 0.5 * (p[1][q] + p[2][q]) + p[3][q];
    }
    [[unroll]] for (int r = 0; r < 3; r++) {
        o[i * 9u + uint(r) * 3u] = rnd(b[r][0] + 0.5 * (b[r][1] + b[r][2]), pc.mode);
        o[i * 9u + uint(r) * 3u + 1u] = rnd(0.5 * (b[r][1] - b[r][2]), pc.mode);
        o[i * 9u + uint(r) * 3u + 2u] = rnd(0.5 * (b[r][1] + b[r][2]) + b[r][3], pc.mode);
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
