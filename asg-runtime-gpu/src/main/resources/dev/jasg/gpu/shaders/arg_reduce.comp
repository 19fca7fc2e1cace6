#version 450
#include "common.glsl"
#include "lanes.glsl"
// One invocation per lane scans len elements inner apart, keeping the first best index; CMP is > (argmax) or
// < (argmin). Push: lanes, len, inner.
void main() {
    uint i = flatId();
    if (i >= pc.lanes) return;
    uint base = laneBase(i);
    uint best = 0u;
    if (pc.len > 0u) {
        float bv = xs[base];
        for (uint k = 1u; k < pc.len; k++) {
            float v = xs[base + k * pc.inner];
            // NaN counts as the extreme, and the first NaN wins (PyTorch)
            if (!isNaN(bv) && (v CMP bv || isNaN(v))) { bv = v; best = k; }
        }
    }
    o[i] = float(best);
}
