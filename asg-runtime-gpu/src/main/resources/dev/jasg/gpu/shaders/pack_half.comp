#version 450
#include "common.glsl"
// Packs f32 words that hold half values exactly (the emulated half storage) into 16-bit storage for the
// tensor-core product (CoopMatMulKernel, PACKED): two elements per 32-bit word, the first in the low half.
// Each value is rounded to nearest even (exact where it already is a half: the products' operands; the attention
// kernels' gradient g is f32). BF16 (1): bfloat16, else binary16. Push: n (vec4 groups of four elements).
layout(std430, binding = 0) writeonly buffer O { uvec2 o[]; };
layout(std430, binding = 1) readonly buffer I { vec4 v[]; };
layout(push_constant) uniform P { uint n; } pc;
#if BF16
// the bfloat16 bits of v rounded to nearest even (exact for a value that is a bfloat16); NaN stays a quiet NaN
uint bf16bits(float v) {
    uint u = floatBitsToUint(v);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (u >> 16) | 0x40u;
    return (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
}
#else
// the binary16 bits of v rounded to nearest even (exact for a value that is an f16), built from its bits so subnormals
// survive; beyond the largest f16 (65504, and ties at 65520 round up) infinity; NaN stays a quiet NaN
uint f16bits(float v) {
    uint u = floatBitsToUint(v), s = (u >> 16) & 0x8000u, a = u & 0x7FFFFFFFu;
    if (a >= 0x7F800000u) return s | 0x7C00u | (a > 0x7F800000u ? 0x200u | ((a >> 13) & 0x3FFu) : 0u);
    if (a >= 0x477FF000u) return s | 0x7C00u;
    if (a >= 0x38800000u) {
        uint r = a - 0x38000000u;
        return s | ((r + 0x0FFFu + ((r >> 13) & 1u)) >> 13);
    }
    return s | uint(roundEven(uintBitsToFloat(a) * 16777216.0));
}
#endif
void main() {
    uint i = flatId();
    if (i >= pc.n) return;
    vec4 x = v[i];
#if BF16
    o[i] = uvec2(bf16bits(x.x) | (bf16bits(x.y) << 16), bf16bits(x.z) | (bf16bits(x.w) << 16));
#else
    o[i] = uvec2(f16bits(x.x) | (f16bits(x.y) << 16), f16bits(x.z) | (f16bits(x.w) << 16));
#endif
}
