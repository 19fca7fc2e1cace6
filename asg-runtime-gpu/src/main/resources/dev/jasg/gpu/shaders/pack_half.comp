#version 450
#include "common.glsl"
// Packs f32 words that hold half values exactly (the emulated half storage) into 16-bit storage for the
// tensor-core product (CoopMatMulKernel, PACKED): two elements per 32-bit word, the first in the low half.
// BF16 (1): the upper 16 bits of each word (exact: the value is a bfloat16); else the binary16 bits of the value
// (exact: it is an f16), built from its bits so subnormals survive. Push: n (vec4 groups of four elements).
layout(std430, binding = 0) writeonly buffer O { uvec2 o[]; };
layout(std430, binding = 1) readonly buffer I { vec4 v[]; };
layout(push_constant) uniform P { uint n; } pc;
#if !BF16
uint f16bits(float v) {
    uint u = floatBitsToUint(v), s = (u >> 16) & 0x8000u, a = u & 0x7FFFFFFFu;
    if (a >= 0x7F800000u) return s | 0x7C00u | (a > 0x7F800000u ? 0x200u | ((a >> 13) & 0x3FFu) : 0u);
    if (a >= 0x38800000u) return s | ((a - 0x38000000u) >> 13);
    return s | uint(uintBitsToFloat(a) * 16777216.0);
}
#endif
void main() {
    uint i = flatId();
    if (i >= pc.n) return;
    vec4 x = v[i];
#if BF16
    uvec4 u = floatBitsToUint(x);
    o[i] = uvec2((u.x >> 16) | (u.y & 0xFFFF0000u), (u.z >> 16) | (u.w & 0xFFFF0000u));
#else
    o[i] = uvec2(f16bits(x.x) | (f16bits(x.y) << 16), f16bits(x.z) | (f16bits(x.w) << 16));
#endif
}
