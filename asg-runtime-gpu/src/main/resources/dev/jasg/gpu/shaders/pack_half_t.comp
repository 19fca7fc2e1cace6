#version 450
#include "common.glsl"
// pack_half.comp for a transposed operand: batch matrices stored [K, M] row-major (f32 words holding half values, an
// absorbed permute's input, Fusion.layout) packed as [M, K] halves, two a 32-bit word, the first in the low half,
// for the tensor-core products, which read A as [M, K] (a transposed B, stored [N, K], is packed as [K, N] with M = K, K = N). A workgroup transposes a tile of 64 k x 32 m through shared
// memory: reads coalesced along m, writes along k. K is even (the tensor-core kernels' operands are 16-byte aligned).
// BF16 (1): bfloat16, else binary16. Push: M, K, matrices (the grid: ceil(M / 32) x ceil(K / 64) x matrices).
layout(std430, binding = 0) writeonly buffer O { uint o[]; };
layout(std430, binding = 1) readonly buffer I { float v[]; };
layout(push_constant) uniform P { uint M; uint K; uint matrices; } pc;
#include "half_bits.glsl"
#if BF16
#define BITS(x) bf16bits(x)
#else
#define BITS(x) f16bits(x)
#endif
shared float T[64][33];
void main() {
    uint tid = gl_LocalInvocationID.x, M = pc.M, K = pc.K;
    uint m0 = gl_WorkGroupID.x * 32u, k0 = gl_WorkGroupID.y * 64u, mat = gl_WorkGroupID.z;
    uint base = mat * M * K;
    uint mm = tid % 32u;
    [[unroll]] for (uint i = 0u; i < 8u; i++) {
        uint kk = tid / 32u + 8u * i;
        T[kk][mm] = (m0 + mm < M && k0 + kk < K) ? v[base + (k0 + kk) * M + m0 + mm] : 0.0;
    }
    barrier();
    [[unroll]] for (uint i = 0u; i < 4u; i++) {
        uint w = tid + 256u * i, row = w / 32u, kp = w % 32u;
        uint m = m0 + row, k = k0 + 2u * kp;
        if (m < M && k < K) o[(base + m * K + k) / 2u] = BITS(T[2u * kp][row]) | (BITS(T[2u * kp + 1u][row]) << 16);
    }
}
