#version 450
#include "common.glsl"
// Softmax (LOG_SOFTMAX 1: its log) along one axis: lane i's len elements lie inner apart from laneBase(i); the
// 1 << tpoBits invocations of a lane cooperate (cooperative.glsl) on the max, then on the sum of exponentials, then
// write their elements. VEC4 1: the lanes are contiguous rows whose length is a multiple of 4, and len counts vec4 (inner
// 1): an invocation reads and writes four elements at a time, so a row of 1024 takes 32 invocations of 8 vec4 instead of
// 128 of 8 floats, a quarter of the load and store instructions, and one subgroup of 32 folds it by shuffles alone (a
// row's max and sum fold each vec4's four in a fixed order). Push: lanes, len, inner, tpoBits, lo.
#ifndef VEC4
#define VEC4 0
#endif
#if VEC4
#define VT vec4
#define LANE_MAX(m, q) coopMax(coopMax(m, (q).x), coopMax(coopMax((q).y, (q).z), (q).w))
#define LANE_SUM(q) (((q).x + (q).y) + ((q).z + (q).w))
#else
#define VT float
#define LANE_MAX(m, q) coopMax(m, q)
#define LANE_SUM(q) (q)
#endif
layout(std430, binding = 0) writeonly buffer O { VT o[]; };
layout(std430, binding = 1) readonly buffer X { VT xs[]; };
layout(push_constant) uniform P { uint lanes; uint len; uint inner; uint tpoBits; uint lo; } pc;
#include "lane_base.glsl"
#include "cooperative.glsl"
BUTTERFLY(largest, coopMax)
BUTTERFLY(total, coopAdd)
#define KEEP 8u
void main() {
    uint v = slot();
    uint k0 = slotReduction(v, pc.lo, pc.tpoBits), step = 1u << pc.tpoBits;
    uint i = groupId() * (256u >> pc.tpoBits) + slotOutput(v, pc.lo, pc.tpoBits);
    bool live = i < pc.lanes;
    uint base = live ? laneBase(i) : 0u;
    // Lanes of at most KEEP elements an invocation (up to KEEP << tpoBits long) keep them in registers from the first
    // pass to the last, so each is read from memory once; longer lanes read them again (the same arithmetic either way).
    bool kept = pc.len <= (KEEP << pc.tpoBits);
    VT xv[KEEP];
    float m = -INF;
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            uint k = k0 + j * step;
            if (k < pc.len) {
                xv[j] = xs[base + k * pc.inner];
                m = LANE_MAX(m, xv[j]);
            }
        }
    } else if (live) for (uint k = k0; k < pc.len; k += step) { VT x = xs[base + k * pc.inner]; m = LANE_MAX(m, x); }
    m = largest(m, v, pc.lo, pc.tpoBits);
    float sum = 0.0;
#if !LOG_SOFTMAX
    VT ev[KEEP];  // kept lanes' exponentials, stored by the last pass as they are (one exp an element, not two: the same bits)
#endif
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            if (k0 + j * step < pc.len) {
#if LOG_SOFTMAX
                VT e = exp(xv[j] - m);
                sum += LANE_SUM(e);
#else
                ev[j] = exp(xv[j] - m);
                sum += LANE_SUM(ev[j]);
#endif
            }
        }
    } else if (live) for (uint k = k0; k < pc.len; k += step) { VT e = exp(xs[base + k * pc.inner] - m); sum += LANE_SUM(e); }
    sum = total(sum, v, pc.lo, pc.tpoBits);
    float ls = log(sum);
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            uint k = k0 + j * step;
            if (k < pc.len) {
#if LOG_SOFTMAX
                o[base + k * pc.inner] = xv[j] - m - ls;
#else
                o[base + k * pc.inner] = ev[j] / sum;
#endif
            }
        }
    } else if (live) {
        for (uint k = k0; k < pc.len; k += step) {
            VT z = xs[base + k * pc.inner] - m;
#if LOG_SOFTMAX
            o[base + k * pc.inner] = z - ls;
#else
            o[base + k * pc.inner] = exp(z) / sum;
#endif
        }
    }
}
