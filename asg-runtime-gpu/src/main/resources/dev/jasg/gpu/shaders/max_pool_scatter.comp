#version 450
#include "common.glsl"
// y[plane, r, c] = sum of g[plane, p, q] over the windows (p, q) whose arg-max is (r, c); see
// PoolKernels.maxPoolScatter. Push: total workgroups, mode, H, W, Ho, Wo, win[10], tilesX, tilesY, tileW.
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer G { float g[]; };
layout(push_constant) uniform P { int count; uint mode; int H; int W; int Ho; int Wo; int win[10]; int tilesX; int tilesY; int tileW; } pc;
#define CAP 256
#define XCAP 512
shared int amax[CAP];
shared float xs[XCAP];
// per row and column of the tile: its first and last window
shared int rowLo[32], rowHi[32], colLo[32], colHi[32];
#include "pool_window.glsl"
#define ARGMAX_NAME argmax
#define ARGMAX_PARAMS int base
#define ARGMAX_READ x[base + r * pc.W + c]
#include "pool_argmax.glsl"
#undef ARGMAX_NAME
#undef ARGMAX_PARAMS
#undef ARGMAX_READ
#define ARGMAX_NAME argmaxShared
#define ARGMAX_PARAMS int R0, int C0, int rw
#define ARGMAX_READ xs[(r - R0) * rw + c - C0]
#include "pool_argmax.glsl"
#undef ARGMAX_NAME
#undef ARGMAX_PARAMS
#undef ARGMAX_READ
// Last window along ax whose start is <= r (windows start in order).
int lastWindow(int ax, int r, int count) {
    return min(count - 1, fdiv((r + 1) * pc.win[ax * 5 + 2] - pc.win[ax * 5 + 1] - 1, pc.win[ax * 5]));
}
// Last tap of window o along ax.
int lastTap(int ax, int o) { return wStart(ax, o) + (wTaps(ax, o) - 1) * pc.win[ax * 5 + 4]; }
// First window along ax whose last tap is >= r, given the last one starting <= r.
int firstWindow(int ax, int r, int last) {
    int o = last;
    while (o >= 0 && lastTap(ax, o) >= r) o--;
    return o + 1;
}
// Whether r is a tap of window o along ax, given that o's extent covers r.
bool isTap(int ax, int o, int r) {
    int step = pc.win[ax * 5 + 4];
    return step == 1 || (r - wStart(ax, o)) % step == 0;
}
void main() {
    int wg = int(groupId());
    if (wg >= pc.count) return;
    int tx = wg % pc.tilesX, t = wg / pc.tilesX, ty = t % pc.tilesY, plane = t / pc.tilesY;
    int lid = int(gl_LocalInvocationID.x);
    int tw = pc.tileW, th = 256 / tw;
    int r0 = ty * th, c0 = tx * tw, r1 = min(r0 + th, pc.H) - 1, c1 = min(c0 + tw, pc.W) - 1;
    int pHi = lastWindow(0, r1, pc.Ho), qHi = lastWindow(1, c1, pc.Wo);
    int pLo = firstWindow(0, r0, lastWindow(0, r0, pc.Ho)), qLo = firstWindow(1, c0, lastWindow(1, c0, pc.Wo));
    int nr = max(pHi - pLo + 1, 0), nc = max(qHi - qLo + 1, 0);
    int base = plane * pc.H * pc.W, gb = plane * pc.Ho * pc.Wo;
    // the part of the plane those windows read
    int R0 = 0, C0 = 0, rh = 0, rw = 0;
    if (nr > 0 && nc > 0) {
        R0 = max(0, wStart(0, pLo));
        C0 = max(0, wStart(1, qLo));
        rh = max(min(pc.H - 1, lastTap(0, pHi)) - R0 + 1, 0);
        rw = max(min(pc.W - 1, lastTap(1, qHi)) - C0 + 1, 0);
    }
    bool fits = nr * nc <= CAP && rh * rw <= XCAP;
    if (fits) {
        for (int e = lid; e < rh * rw; e += 256) xs[e] = x[base + (R0 + e / rw) * pc.W + C0 + e % rw];
        if (lid < th) {
            int hi = lastWindow(0, min(r0 + lid, r1), pc.Ho);
            rowHi[lid] = hi;
            rowLo[lid] = firstWindow(0, min(r0 + lid, r1), hi);
        } else if (lid < th + tw) {
            int hi = lastWindow(1, min(c0 + lid - th, c1), pc.Wo);
            colHi[lid - th] = hi;
            colLo[lid - th] = firstWindow(1, min(c0 + lid - th, c1), hi);
        }
        barrier();
        for (int w = lid; w < nr * nc; w += 256) amax[w] = argmaxShared(R0, C0, rw, pLo + w / nc, qLo + w % nc);
        barrier();
    }
    int lr = lid / tw, lc = lid % tw, r = r0 + lr, c = c0 + lc;
    if (r > r1 || c > c1) return;
    int self = r * pc.W + c;
    float acc = 0.0;
    if (fits) {
        for (int p = rowLo[lr]; p <= rowHi[lr]; p++) {
            if (!isTap(0, p, r)) continue;
            for (int q = colLo[lc]; q <= colHi[lc]; q++) {
                if (isTap(1, q, c) && amax[(p - pLo) * nc + q - qLo] == self) acc += g[gb + p * pc.Wo + q];
            }
        }
    } else {
        int pTop = lastWindow(0, r, pc.Ho), qTop = lastWindow(1, c, pc.Wo);
        for (int p = firstWindow(0, r, pTop); p <= pTop; p++) {
            if (!isTap(0, p, r)) continue;
            for (int q = firstWindow(1, c, qTop); q <= qTop; q++) {
                if (isTap(1, q, c) && argmax(base, p, q) == self) acc += g[gb + p * pc.Wo + q];
            }
        }
    }
    y[base + self] = rnd(acc, pc.mode);
}
