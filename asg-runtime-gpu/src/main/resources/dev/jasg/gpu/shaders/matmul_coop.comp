#version 450
// Tensor-core matrix product (CoopMatMulKernel): C[t] = A[t] B[t] for f16 or bf16 operands, f32 accumulation and result,
// on VK_KHR_cooperative_matrix 16x16x16 subgroup tiles. PACKED 0: operands arrive as f32 words holding half values exactly
// (the backend's emulated half storage) and are converted to ELEM while staged in shared memory; PACKED 1: operands
// arrive packed two halves a word (pack_half.comp wrote them into the plan's workspace), read and staged 8 elements at a
// time with no conversion, through STAGES (1 or 2) shared buffers (2: the next step's tiles are stored while this one's
// are multiplied, one barrier a step).
// Defines: BF16 (1: bfloat16 operands, else float16), BM, BN, BK (workgroup tile, uint), WM, WN (subgroup tile, multiples
// of 16, uint), THREADS (workgroup size: (BM/WM)(BN/WN) subgroups of SUBGROUP invocations), PACKED, STAGES. Aligned sizes
// only (M % BM, N % BN, K % BK all 0): the lowering picks matmul.comp for anything else. Push: as matmul.comp (M, N, K,
// mode (unused: the result is f32), batchRank, batch dims[4], A batch strides[4], B batch strides[4]), in elements.
// PEAK (1-4, PACKED with one stage; CoopMatMulKernel.PEAK_PROPERTY): a ceiling measurement, never a result.
// SPLITK (1, PACKED only, no epilogue): one product, no batch; workgroup z multiplies its `steps` steps of K (push, after
// sb[]) into matrix z of C, a partial result that split_sum.comp adds to the others in a fixed order.
#ifndef SPLITK
#define SPLITK 0
#endif
#ifndef PEAK
#define PEAK 0
#endif
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_control_flow_attributes : enable
#if BF16
#extension GL_EXT_bfloat16 : require
#define ELEM bfloat16_t
#else
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define ELEM float16_t
#endif
#define WARPS_N (BN / WN)
#define FM (WM / 16u)
#define FN (WN / 16u)
// padded row strides of the shared tiles, in elements (16-byte multiples, off the bank period)
#define SA (BK + 8u)
#define SB (BN + 8u)
#define NT uint(THREADS)
#define LA (BM * BK / 4u / NT)
#define LB (BK * BN / 4u / NT)
#if EPILOGUE
#define PUSH layout(push_constant) uniform P { uint M; uint N; uint K; uint mode; uint batchRank; uint bd[4]; uint sa[4]; uint sb[4]; \
    uint ea[EXTERNALS]; uint eb[EXTERNALS]; } pc;
#elif SPLITK
#define PUSH layout(push_constant) uniform P { uint M; uint N; uint K; uint mode; uint batchRank; uint bd[4]; uint sa[4]; uint sb[4]; \
    uint steps; } pc;
#else
#define PUSH layout(push_constant) uniform P { uint M; uint N; uint K; uint mode; uint batchRank; uint bd[4]; uint sa[4]; uint sb[4]; } pc;
#endif
layout(local_size_x = THREADS) in;
layout(std430, binding = 0) writeonly buffer C { float c[]; };
#if EPILOGUE
// a fused group (fused_body.glsl) applied to every result: each subgroup stores one 16x16 accumulator tile to its
// own part of Cs (the element order inside a cooperative matrix is the implementation's), then its invocations
// apply the group to the tile's elements by position and write them. The loop over tiles and elements is rolled
// (the tile picked by an unrolled chain of stores) so the group's code exists once, not FM*FN*8 times: inlined
// that often, an erf-based GELU or an operand's broadcast index arithmetic made the f32 kernel 4-7x slower.
#define WRITE_RESULT { \
    uint lane = gl_SubgroupInvocationID; \
    for (uint t = 0u; t < FM * FN; t++) { \
        [[unroll]] for (uint i = 0u; i < FM; i++) [[unroll]] for (uint j = 0u; j < FN; j++) { \
            if (i * FN + j == t) coopMatStore(acc[i][j], Cs, warp * 256u, 16u, gl_CooperativeMatrixLayoutRowMajor); \
        } \
        subgroupMemoryBarrierShared(); \
        subgroupBarrier(); \
        uint ti = t / FN, tj = t % FN; \
        for (uint q = 0u; q < 8u; q++) { \
            uint e = lane + 32u * q; \
            uint at = cOff + (m0 + wm * WM + ti * 16u + e / 16u) * N + n0 + wn * WN + tj * 16u + e % 16u; \
            c[at] = fused(at, Cs[warp * 256u + e]); \
        } \
        subgroupBarrier(); \
    } }
#else
#define WRITE_RESULT { \
    [[unroll]] for (uint i = 0u; i < FM; i++) [[unroll]] for (uint j = 0u; j < FN; j++) { \
        coopMatStore(acc[i][j], c, cOff + (m0 + wm * WM + i * 16u) * N + n0 + wn * WN + j * 16u, N, gl_CooperativeMatrixLayoutRowMajor); \
    } }
#endif
PUSH
#if EPILOGUE
#include "scalar.glsl"
#include "math.glsl"
#include "fused_body.glsl"
shared float Cs[(THREADS / 32) * 256];
#endif
#if PACKED
// 8 halves a uvec4; shared rows padded by 8 elements (one uvec4) off the bank period
#define SA8 (SA / 8u)
#define SB8 (SB / 8u)
#define PA (BM * BK / 8u / NT)
#define PB (BK * BN / 8u / NT)
layout(std430, binding = 1) readonly buffer A8 { uvec4 a8[]; };
layout(std430, binding = 2) readonly buffer B8 { uvec4 b8[]; };
#define ASTAGE (BM * SA8)
#define BSTAGE (BK * SB8)
shared uvec4 As[STAGES * ASTAGE];
shared uvec4 Bs[STAGES * BSTAGE];

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN;
    uint M = pc.M, N = pc.N, K = pc.K;
    uint t = gl_WorkGroupID.z, aOff = 0u, bOff = 0u;
    for (int k = int(pc.batchRank) - 1; k >= 0; k--) {
        uint ci = t % pc.bd[k];
        t /= pc.bd[k];
        aOff += ci * pc.sa[k];
        bOff += ci * pc.sb[k];
    }
    uint cOff = gl_WorkGroupID.z * M * N;
    uint warp = gl_SubgroupID, wm = warp / WARPS_N, wn = warp % WARPS_N;

    coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator> acc[FM][FN];
    [[unroll]] for (uint i = 0u; i < FM; i++) [[unroll]] for (uint j = 0u; j < FN; j++) {
        acc[i][j] = coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>(0.0);
    }
    uvec4 ra[PA];
    uvec4 rb[PB];
    // the steps of K this workgroup multiplies: all of them, or split z's (its batch loop above ran over dims of 1)
    uint kt0 = 0u, tiles = K / BK;
#if SPLITK
    kt0 = gl_WorkGroupID.z * pc.steps;
    tiles = min(tiles, kt0 + pc.steps);
#endif
#if PEAK >= 3
    // ceiling measurements (wrong results): every workgroup reads the first rows of A and columns of B, and at PEAK 3 only
    // their first step too (the same 8 KiB of each, from L1 after the first step)
    uint lm0 = 0u, ln0 = 0u, lk = PEAK == 3 ? 0u : 1u;
#else
    uint lm0 = m0, ln0 = n0, lk = 1u;
#endif
    #define LOAD(kt) { \
        [[unroll]] for (uint l = 0u; l < PA; l++) { \
            uint v = tid + NT * l; \
            ra[l] = a8[(aOff + (lm0 + v / (BK / 8u)) * K + (kt) * lk * BK + (v % (BK / 8u)) * 8u) / 8u]; \
        } \
        [[unroll]] for (uint l = 0u; l < PB; l++) { \
            uint v = tid + NT * l; \
            rb[l] = b8[(bOff + ((kt) * lk * BK + v / (BN / 8u)) * N + ln0 + (v % (BN / 8u)) * 8u) / 8u]; \
        } }
    #define STORE(st) { \
        [[unroll]] for (uint l = 0u; l < PA; l++) { uint v = tid + NT * l; As[(st) * ASTAGE + (v / (BK / 8u)) * SA8 + v % (BK / 8u)] = ra[l]; } \
        [[unroll]] for (uint l = 0u; l < PB; l++) { uint v = tid + NT * l; Bs[(st) * BSTAGE + (v / (BN / 8u)) * SB8 + v % (BN / 8u)] = rb[l]; } }
    #define COMPUTE(st) { \
        [[unroll]] for (uint kk = 0u; kk < BK; kk += 16u) { \
            coopmat<ELEM, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> fa[FM]; \
            [[unroll]] for (uint i = 0u; i < FM; i++) { \
                coopMatLoad(fa[i], As, (st) * ASTAGE + ((wm * WM + i * 16u) * SA + kk) / 8u, SA8, gl_CooperativeMatrixLayoutRowMajor); \
            } \
            [[unroll]] for (uint j = 0u; j < FN; j++) { \
                coopmat<ELEM, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB> fb; \
                coopMatLoad(fb, Bs, (st) * BSTAGE + (kk * SB + wn * WN + j * 16u) / 8u, SB8, gl_CooperativeMatrixLayoutRowMajor); \
                [[unroll]] for (uint i = 0u; i < FM; i++) acc[i][j] = coopMatMulAdd(fa[i], fb, acc[i][j]); \
            } \
        } }
    LOAD(kt0)
#if STAGES == 2
    STORE(0u)
    barrier();
    // the loop unrolled by two so each half names its buffer as a constant (as matmul.comp's two stages; on an H100 this
    // ran 8-15% faster than a buffer picked at run time, still slower than one stage): the next step's tiles are stored
    // into the other buffer while this one's are multiplied (it was last read in the step before, which every subgroup
    // finished before the last barrier)
    uint kt = kt0;
    for (; kt + 1u < tiles; kt += 2u) {
        LOAD(kt + 1u)
        COMPUTE(0u)
        STORE(1u)
        barrier();
        if (kt + 2u < tiles) LOAD(kt + 2u)
        COMPUTE(1u)
        if (kt + 2u < tiles) STORE(0u)
        barrier();
    }
    if (kt < tiles) COMPUTE(0u)
#elif PEAK == 1
    // a ceiling measurement (CoopMatMulKernel.PEAK_PROPERTY; wrong results): the steps' shared loads and products only
    // (no global loads, no barriers in the loop)
    STORE(0u)
    barrier();
    for (uint kt = kt0; kt < tiles; kt++) COMPUTE(0u)
#elif PEAK == 2
    // a ceiling measurement (wrong results): the same number of products only, on fragments loaded once
    STORE(0u)
    barrier();
    coopmat<ELEM, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> pa[FM];
    coopmat<ELEM, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB> pb[FN];
    [[unroll]] for (uint i = 0u; i < FM; i++) coopMatLoad(pa[i], As, ((wm * WM + i * 16u) * SA) / 8u, SA8, gl_CooperativeMatrixLayoutRowMajor);
    [[unroll]] for (uint j = 0u; j < FN; j++) coopMatLoad(pb[j], Bs, (wn * WN + j * 16u) / 8u, SB8, gl_CooperativeMatrixLayoutRowMajor);
    for (uint kt = kt0; kt < tiles * (BK / 16u); kt++) {
        [[unroll]] for (uint j = 0u; j < FN; j++) [[unroll]] for (uint i = 0u; i < FM; i++) acc[i][j] = coopMatMulAdd(pa[i], pb[j], acc[i][j]);
    }
#else
    for (uint kt = kt0; kt < tiles; kt++) {
        barrier();  // every subgroup is done reading the previous tiles
        STORE(0u)
        barrier();
        if (kt + 1u < tiles) LOAD(kt + 1u)
        COMPUTE(0u)
    }
#endif
    WRITE_RESULT
}
#else
layout(std430, binding = 1) readonly buffer A4 { vec4 a4[]; };
layout(std430, binding = 2) readonly buffer B4 { vec4 b4[]; };
shared ELEM As[BM * SA];
shared ELEM Bs[BK * SB];

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN;
    uint M = pc.M, N = pc.N, K = pc.K;
    uint t = gl_WorkGroupID.z, aOff = 0u, bOff = 0u;
    for (int k = int(pc.batchRank) - 1; k >= 0; k--) {
        uint ci = t % pc.bd[k];
        t /= pc.bd[k];
        aOff += ci * pc.sa[k];
        bOff += ci * pc.sb[k];
    }
    uint cOff = gl_WorkGroupID.z * M * N;
    uint warp = gl_SubgroupID, wm = warp / WARPS_N, wn = warp % WARPS_N;

    coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator> acc[FM][FN];
    [[unroll]] for (uint i = 0u; i < FM; i++) [[unroll]] for (uint j = 0u; j < FN; j++) {
        acc[i][j] = coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>(0.0);
    }
    vec4 ra[LA];
    vec4 rb[LB];
    uint tiles = K / BK;
    // step kt's tiles of A (BM x BK) and B (BK x BN) into registers, 16-byte loads
    #define LOAD(kt) { \
        [[unroll]] for (uint l = 0u; l < LA; l++) { \
            uint v = tid + NT * l; \
            ra[l] = a4[(aOff + (m0 + v / (BK / 4u)) * K + (kt) * BK + (v % (BK / 4u)) * 4u) / 4u]; \
        } \
        [[unroll]] for (uint l = 0u; l < LB; l++) { \
            uint v = tid + NT * l; \
            rb[l] = b4[(bOff + ((kt) * BK + v / (BN / 4u)) * N + n0 + (v % (BN / 4u)) * 4u) / 4u]; \
        } }
    LOAD(0u)
    for (uint kt = 0u; kt < tiles; kt++) {
        barrier();  // every subgroup is done reading the previous tiles
        [[unroll]] for (uint l = 0u; l < LA; l++) {
            uint v = tid + NT * l, at = (v / (BK / 4u)) * SA + (v % (BK / 4u)) * 4u;
            [[unroll]] for (uint e = 0u; e < 4u; e++) As[at + e] = ELEM(ra[l][e]);
        }
        [[unroll]] for (uint l = 0u; l < LB; l++) {
            uint v = tid + NT * l, at = (v / (BN / 4u)) * SB + (v % (BN / 4u)) * 4u;
            [[unroll]] for (uint e = 0u; e < 4u; e++) Bs[at + e] = ELEM(rb[l][e]);
        }
        barrier();
        if (kt + 1u < tiles) LOAD(kt + 1u)
        [[unroll]] for (uint kk = 0u; kk < BK; kk += 16u) {
            coopmat<ELEM, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> fa[FM];
            [[unroll]] for (uint i = 0u; i < FM; i++) {
                coopMatLoad(fa[i], As, (wm * WM + i * 16u) * SA + kk, SA, gl_CooperativeMatrixLayoutRowMajor);
            }
            [[unroll]] for (uint j = 0u; j < FN; j++) {
                coopmat<ELEM, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB> fb;
                coopMatLoad(fb, Bs, kk * SB + wn * WN + j * 16u, SB, gl_CooperativeMatrixLayoutRowMajor);
                [[unroll]] for (uint i = 0u; i < FM; i++) acc[i][j] = coopMatMulAdd(fa[i], fb, acc[i][j]);
            }
        }
    }
    WRITE_RESULT
}
#endif
