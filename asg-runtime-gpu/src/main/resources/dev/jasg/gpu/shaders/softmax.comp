#version 450
#include "common.glsl"
#include "lanes.glsl"
// One invocation per lane: max, sum of exponentials, then the normalised values (LOG_SOFTMAX 1: their logs).
// Push: lanes, len, inner.
void main() {
    uint i = flatId();
    if (i >= pc.lanes) return;
    uint base = laneBase(i);
    float m = -INF;
    for (uint k = 0u; k < pc.len; k++) {
        float v = xs[base + k * pc.inner];
        m = isNaN(m) || isNaN(v) ? NAN : max(m, v);
    }
    float sum = 0.0;
    for (uint k = 0u; k < pc.len; k++) sum += exp(xs[base + k * pc.inner] - m);
    float ls = log(sum);
    for (uint k = 0u; k < pc.len; k++) {
        float z = xs[base + k * pc.inner] - m;
#if LOG_SOFTMAX
        o[base + k * pc.inner] = z - ls;
#else
        o[base + k * pc.inner] = exp(z) / sum;
#endif
    }
}
