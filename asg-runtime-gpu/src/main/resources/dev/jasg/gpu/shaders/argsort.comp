#version 450
#include "common.glsl"
// Stable insertion sort of each lane's indices by value (DESCENDING 1: largest first), written in the output as
// floats; an element moves left only past elements it must strictly precede, so ties keep their order, and NaN is
// the largest value. Push: lanes, len, inner.
layout(std430, binding = 0) buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
layout(push_constant) uniform P { uint lanes; uint len; uint inner; } pc;
#include "lane_base.glsl"
// -1, 0, 1 as a is below, equal to or above b, NaN above every number
int cmp(float a, float b) {
    bool na = isNaN(a), nb = isNaN(b);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
    return a < b ? -1 : (a > b ? 1 : 0);
}
void main() {
    uint i = flatId();
    if (i >= pc.lanes) return;
    uint base = laneBase(i);
    for (uint k = 0u; k < pc.len; k++) {
        float v = xs[base + k * pc.inner];
        int j = int(k) - 1;
        while (j >= 0) {
            float prev = o[base + uint(j) * pc.inner];
            int c = cmp(v, xs[base + uint(prev) * pc.inner]);
            if (!(DESCENDING != 0 ? c > 0 : c < 0)) break;
            o[base + uint(j + 1) * pc.inner] = prev;
            j--;
        }
        o[base + uint(j + 1) * pc.inner] = float(k);
    }
}
