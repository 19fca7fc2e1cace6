#version 450
#include "common.glsl"
// Softmax (LOG_SOFTMAX 1: its log) along one axis: lane i's len elements lie inner apart from laneBase(i); the
// 1 << tpoBits invocations of a lane cooperate (cooperative.glsl) on the max, then on the sum of exponentials, then
// write their elements. Push: lanes, len, inner, tpoBits, lo.
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
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
    float xv[KEEP];
    float m = -INF;
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            uint k = k0 + j * step;
            if (k < pc.len) {
                xv[j] = xs[base + k * pc.inner];
                m = coopMax(m, xv[j]);
            }
        }
    } else if (live) for (uint k = k0; k < pc.len; k += step) m = coopMax(m, xs[base + k * pc.inner]);
    m = largest(m, v, pc.lo, pc.tpoBits);
    float sum = 0.0;
#if !LOG_SOFTMAX
    float ev[KEEP];  // kept lanes' exponentials, stored by the last pass as they are (one exp an element, not two: the same bits)
#endif
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            if (k0 + j * step < pc.len) {
#if LOG_SOFTMAX
                sum += exp(xv[j] - m);
#else
                ev[j] = exp(xv[j] - m);
                sum += ev[j];
#endif
            }
        }
    } else if (live) for (uint k = k0; k < pc.len; k += step) sum += exp(xs[base + k * pc.inner] - m);
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
            float z = xs[base + k * pc.inner] - m;
#if LOG_SOFTMAX
            o[base + k * pc.inner] = z - ls;
#else
            o[base + k * pc.inner] = exp(z) / sum;
#endif
        }
    }
}
