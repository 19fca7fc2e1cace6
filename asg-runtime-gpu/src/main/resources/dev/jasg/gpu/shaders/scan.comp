#version 450
#include "common.glsl"
#include "lanes.glsl"
// o_i = x_0 op ... op x_i along the axis (x_i op ... op x_last when REVERSE is 1), op a product when PRODUCT
// is 1, else a sum; one invocation per lane. Push: lanes, len, inner.
void main() {
    uint i = flatId();
    if (i >= pc.lanes) return;
    uint base = laneBase(i);
    float acc = PRODUCT != 0 ? 1.0 : 0.0;
    for (uint k = 0u; k < pc.len; k++) {
        uint at = base + (REVERSE != 0 ? pc.len - 1u - k : k) * pc.inner;
        acc = PRODUCT != 0 ? acc * xs[at] : acc + xs[at];
        o[at] = acc;
    }
}
