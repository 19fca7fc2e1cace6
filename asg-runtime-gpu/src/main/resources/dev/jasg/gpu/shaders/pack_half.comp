#version 450
#include "common.glsl"
// Packs f32 words that hold half values exactly (the emulated half storage) into 16-bit storage for the
// tensor-core product (CoopMatMulKernel, PACKED): two elements per 32-bit word, the first in the low half.
// Each value is rounded to nearest even (exact where it already is a half: the products' operands; the attention
// kernels' gradient g is f32). BF16 (1): bfloat16, else binary16. Push: n (vec4 groups of four elements).
layout(std430, binding = 0) writeonly buffer O { uvec2 o[]; };
layout(std430, binding = 1) readonly buffer I { vec4 v[]; };
layout(push_constant) uniform P { uint n; } pc;
#include "half_bits.glsl"
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
