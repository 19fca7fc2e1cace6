#version 450
// Tensor-core matrix product on workgroup-scope cooperative matrices (WorkgroupMatMulKernel, VK_NV_cooperative_matrix2):
// C[t] = A[t] B[t] for f16 or bf16 operands in 16-bit storage (pack_half.comp wrote them into the plan's workspace), f32
// accumulation and result. The workgroup owns one BM x BN accumulator and walks K in BK steps; the driver stages the
// operand tiles through shared memory (the extension's "compiler-managed staging"). Tensor layouts clamp: a slice past
// the matrix loads zeros and drops its stores, so any M and the last partial tiles of N and K need no checks here.
// A workgroup whose tile lies inside the matrices (every one of an aligned product but the edges) takes unclamped layouts.
// Defines: BF16 (1: bfloat16, else float16), BM, BN, BK (workgroup tile, uint), THREADS (the invocations the device
// lists for workgroup-scope matrices), UNROLL (K steps a loop iteration), FAST_PATH (0: every tile clamped), EPILOGUE (1: a fused group applied per element before the store, with
// EXTERNALS). The lowering takes this kernel only where every batch matrix starts 16-byte aligned (K and N multiples
// of 8). Push: as matmul.comp (M, N, K, mode (unused: the result is f32), batchRank, batch dims[4], A batch
// strides[4], B batch strides[4]), in elements, then the epilogue's indexing.
#extension GL_NV_cooperative_matrix2 : require
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_int32 : require
#extension GL_EXT_control_flow_attributes : enable
#if BF16
#extension GL_EXT_bfloat16 : require
#define ELEM bfloat16_t
#else
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define ELEM float16_t
#endif
layout(local_size_x = THREADS) in;
#if EPILOGUE
layout(push_constant) uniform P { uint M; uint N; uint K; uint mode; uint batchRank; uint bd[4]; uint sa[4]; uint sb[4];
    uint ea[EXTERNALS]; uint eb[EXTERNALS]; } pc;
#else
layout(push_constant) uniform P { uint M; uint N; uint K; uint mode; uint batchRank; uint bd[4]; uint sa[4]; uint sb[4]; } pc;
#endif
layout(std430, binding = 0) writeonly buffer C { float c[]; };
layout(std430, binding = 1) readonly buffer A { ELEM a[]; };
layout(std430, binding = 2) readonly buffer B { ELEM b[]; };
#if EPILOGUE
#include "scalar.glsl"
#include "math.glsl"
#include "fused_body.glsl"
// the group at the result element (row, col) of the tile at (m0, n0) of batch matrix cOff; elements past the matrix keep
// their value (their stores are dropped)
float epilogue(const in uint32_t row, const in uint32_t col, const in float v, const in uint m0, const in uint n0, const in uint cOff) {
    uint i = m0 + row, j = n0 + col;
    if (i >= pc.M || j >= pc.N) return v;
    return fused(cOff + i * pc.N + j, v);
}
#endif

// one workgroup's product over K with operand layouts LA, LB (clamped or not), K walked UNROLL steps of BK at a time
#define PRODUCT(LA, LB) { \
    uint k = 0u; \
    for (; k + UNROLL * BK <= K; ) { \
        [[unroll]] for (uint u = 0u; u < UNROLL; u++) { \
            coopmat<ELEM, gl_ScopeWorkgroup, BM, BK, gl_MatrixUseA> ma; \
            coopmat<ELEM, gl_ScopeWorkgroup, BK, BN, gl_MatrixUseB> mb; \
            coopMatLoadTensorNV(ma, a, aOff, sliceTensorLayoutNV(LA, m0, BM, k, BK)); \
            coopMatLoadTensorNV(mb, b, bOff, sliceTensorLayoutNV(LB, k, BK, n0, BN)); \
            acc = coopMatMulAdd(ma, mb, acc); \
            k += BK; \
        } \
    } \
    for (; k < K; k += BK) { \
        coopmat<ELEM, gl_ScopeWorkgroup, BM, BK, gl_MatrixUseA> ma; \
        coopmat<ELEM, gl_ScopeWorkgroup, BK, BN, gl_MatrixUseB> mb; \
        coopMatLoadTensorNV(ma, a, aOff, sliceTensorLayoutNV(LA, m0, BM, k, BK)); \
        coopMatLoadTensorNV(mb, b, bOff, sliceTensorLayoutNV(LB, k, BK, n0, BN)); \
        acc = coopMatMulAdd(ma, mb, acc); \
    } }

void main() {
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
    coopmat<float, gl_ScopeWorkgroup, BM, BN, gl_MatrixUseAccumulator> acc = coopmat<float, gl_ScopeWorkgroup, BM, BN, gl_MatrixUseAccumulator>(0.0);
    tensorLayoutNV<2, gl_CooperativeMatrixClampModeConstantNV> lc = createTensorLayoutNV(2, gl_CooperativeMatrixClampModeConstantNV);
    lc = setTensorLayoutDimensionNV(lc, M, N);
    if (FAST_PATH != 0 && m0 + BM <= M && n0 + BN <= N && K % BK == 0u) {
        // the whole tile inside the matrices: unclamped layouts (no per-element bounds checks), the row strides rounded
        // down to a multiple of 8 (they are: the lowering's fits) to tell the compiler every row is 16-byte aligned
        tensorLayoutNV<2> la = createTensorLayoutNV(2);
        tensorLayoutNV<2> lb = createTensorLayoutNV(2);
        la = setTensorLayoutDimensionNV(la, M, K);
        lb = setTensorLayoutDimensionNV(lb, K, N);
        la = setTensorLayoutStrideNV(la, K & ~7u, 1);
        lb = setTensorLayoutStrideNV(lb, N & ~7u, 1);
        PRODUCT(la, lb)
    } else {
        // a tile over an edge: slices past the matrix load zeros
        tensorLayoutNV<2, gl_CooperativeMatrixClampModeConstantNV> la = createTensorLayoutNV(2, gl_CooperativeMatrixClampModeConstantNV);
        tensorLayoutNV<2, gl_CooperativeMatrixClampModeConstantNV> lb = createTensorLayoutNV(2, gl_CooperativeMatrixClampModeConstantNV);
        la = setTensorLayoutDimensionNV(la, M, K);
        lb = setTensorLayoutDimensionNV(lb, K, N);
        PRODUCT(la, lb)
    }
#if EPILOGUE
    coopMatPerElementNV(acc, acc, epilogue, m0, n0, cOff);
#endif
    coopMatStoreTensorNV(acc, c, cOff, sliceTensorLayoutNV(lc, m0, BM, n0, BN));
}
