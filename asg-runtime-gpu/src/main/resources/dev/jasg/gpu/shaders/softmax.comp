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
void main() {
    uint v = slot();
    uint k0 = slotReduction(v, pc.lo, pc.tpoBits), step = 1u << pc.tpoBits;
    uint i = groupId() * (256u >> pc.tpoBits) + slotOutput(v, pc.lo, pc.tpoBits);
    bool live = i < pc.lanes;
    uint base = live ? laneBase(i) : 0u;
    float m = -INF;
    if (live) for (uint k = k0; k < pc.len; k += step) m = coopMax(m, xs[base + k * pc.inner]);
    m = largest(m, v, pc.lo, pc.tpoBits);
    float sum = 0.0;
    if (live) for (uint k = k0; k < pc.len; k += step) sum += exp(xs[base + k * pc.inner] - m);
    sum = total(sum, v, pc.lo, pc.tpoBits);
    float ls = log(sum);
    if (live) {
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
