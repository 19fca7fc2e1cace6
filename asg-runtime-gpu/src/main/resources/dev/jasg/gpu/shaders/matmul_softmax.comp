#version 450
// The softmax of a product along its last axis, in one kernel (SoftmaxProductKernel; Fusion's softmax groups):
// o = softmax(f(A B)), f the group's elementwise epilogue (fused_body.glsl: attention's mask, EPILOGUE 1) or nothing. A
// workgroup computes BM whole rows of the product: all NCOLS columns (N rounded up to 256) stay in registers, 8 rows x
// NCOLS / 64 columns an invocation, the rows' maxima and sums are combined through shared memory, and only the weights
// are stored: the scores never go through memory. Defines: NCOLS (256, 512, 768 or 1024), TRANS_A (A stored [.., K, M]),
// TRANS_B (B stored [.., N, K], attention's keys as they are), EPILOGUE, EXTERNALS. Needs K % 8 == 0 and N % 4 == 0, and
// 16-byte aligned operands. Push: M, N, K, mode (unused: f32 only), batchRank, bd[4], sa[4], sb[4] (as matmul.comp's),
// then the epilogue's ea[], eb[].
#extension GL_EXT_control_flow_attributes : enable
#ifndef TRANS_A
#define TRANS_A 0
#endif
#ifndef TRANS_B
#define TRANS_B 0
#endif
#define BM 32u
#define BK 8u
// column groups of 256 an invocation walks (64 invocations of 4 columns each)
#define NG (NCOLS / 256u)
// vec4 loads of B's step an invocation: BK * NCOLS / 4 of them over 256 invocations
#define LB (NCOLS / 128u)
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer C4 { vec4 c4[]; };
layout(std430, binding = 1) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer A4 { vec4 a4[]; };
layout(std430, binding = 2) readonly buffer B { float b[]; };
layout(std430, binding = 2) readonly buffer B4 { vec4 b4[]; };
layout(push_constant) uniform P { uint M; uint N; uint K; uint mode; uint batchRank; uint bd[4]; uint sa[4]; uint sb[4];
#if EPILOGUE
                                  uint ea[EXTERNALS]; uint eb[EXTERNALS];
#endif
                                  } pc;
// A's step k-major (As[k][r], 32 rows a k as 8 vec4), B's step k-major (Bs[k][c], NCOLS / 4 vec4 a k); after the products
// Bs holds the rows' partial maxima and sums (32 rows x 64 invocations) and part the 8 partials of each row
shared vec4 As[BK * BM / 4u];
shared vec4 Bs[BK * NCOLS / 4u];
shared float part[BM * 8u];
#include "scalar.glsl"
#if EPILOGUE
#include "math.glsl"
#include "fused_body.glsl"
#endif

// NaN-propagating max (GLSL leaves max(NaN, x) undefined), as softmax.comp's
float nanMax(float x, float y) { return isNaN(x) ? x : (isNaN(y) || y > x ? y : x); }

// Each row's total of the 64 values its invocations (ty fixed, tx = 0..63) hold, for the 8 rows of invocation (ty, tx):
// the values through Bs, 8 partials of 8 a row through part, then every invocation folds its rows' partials in order
// (the same order for every run: a fixed layout). MAXIMUM 1 folds by nanMax, else by +.
#define ROW_TOTALS(NAME, MAXIMUM) \
void NAME(inout float v[8], uint tid, uint ty, uint tx) { \
    [[unroll]] for (uint i = 0u; i < 8u; i++) { uint s = (ty * 8u + i) * 64u + tx; Bs[s / 4u][s % 4u] = v[i]; } \
    barrier(); \
    uint row = tid / 8u, p = tid % 8u; \
    float t = Bs[(row * 64u + p * 8u) / 4u][0]; \
    [[unroll]] for (uint j = 1u; j < 8u; j++) { uint s = row * 64u + p * 8u + j; float x = Bs[s / 4u][s % 4u]; t = MAXIMUM == 1 ? nanMax(t, x) : t + x; } \
    part[row * 8u + p] = t; \
    barrier(); \
    [[unroll]] for (uint i = 0u; i < 8u; i++) { \
        uint r = ty * 8u + i; \
        float q = part[r * 8u]; \
        [[unroll]] for (uint j = 1u; j < 8u; j++) q = MAXIMUM == 1 ? nanMax(q, part[r * 8u + j]) : q + part[r * 8u + j]; \
        v[i] = q; \
    } \
    barrier(); \
}
ROW_TOTALS(rowMax, 1)
ROW_TOTALS(rowSum, 0)

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint tx = tid % 64u, ty = tid / 64u;
    uint M = pc.M, N = pc.N, K = pc.K;
    uint m0 = gl_WorkGroupID.x * BM;
    uint t = gl_WorkGroupID.z, aOff = 0u, bOff = 0u;
    for (int k = int(pc.batchRank) - 1; k >= 0; k--) {
        uint ci = t % pc.bd[k];
        t /= pc.bd[k];
        aOff += ci * pc.sa[k];
        bOff += ci * pc.sb[k];
    }
    uint cOff = gl_WorkGroupID.z * M * N;

    vec4 acc[8][NG];
    [[unroll]] for (uint i = 0u; i < 8u; i++) [[unroll]] for (uint g = 0u; g < NG; g++) acc[i][g] = vec4(0.0);
    vec4 ra = vec4(0.0);
    vec4 rb[LB];
    uint tiles = K / BK;

    // step kt's tiles into registers: A by the first 64 invocations (a vec4 each), B by all (LB vec4 each)
#if TRANS_A
    // A stored [K, M]: row k of the step, 4 consecutive m (bounds checked: M need not be a multiple of 4)
    #define LOAD_A(kt) if (tid < 64u) { \
            uint k = tid / 8u, r = (tid % 8u) * 4u, gk = (kt) * BK + k; \
            [[unroll]] for (uint e = 0u; e < 4u; e++) ra[e] = m0 + r + e < M ? a[aOff + gk * M + m0 + r + e] : 0.0; \
        }
#else
    // A stored [M, K]: row r, 4 consecutive k
    #define LOAD_A(kt) if (tid < 64u) { \
            uint r = tid / 2u, gk = (kt) * BK + (tid % 2u) * 4u; \
            ra = m0 + r < M ? a4[(aOff + (m0 + r) * K + gk) / 4u] : vec4(0.0); \
        }
#endif
#if TRANS_B
    // B stored [N, K]: column n's 8 k of the step as two vec4 (invocation pairs), zero past N
    #define LOAD_B(kt) [[unroll]] for (uint l = 0u; l < LB; l++) { \
            uint v = tid + 256u * l, n = v / 2u, gk = (kt) * BK + (v % 2u) * 4u; \
            rb[l] = n < N ? b4[(bOff + n * K + gk) / 4u] : vec4(0.0); \
        }
#else
    // B stored [K, N]: row k, 4 consecutive columns, zero past N (N % 4 == 0)
    #define LOAD_B(kt) [[unroll]] for (uint l = 0u; l < LB; l++) { \
            uint v = tid + 256u * l, k = v / (NCOLS / 4u), c = (v % (NCOLS / 4u)) * 4u; \
            rb[l] = c < N ? b4[(bOff + ((kt) * BK + k) * N + c) / 4u] : vec4(0.0); \
        }
#endif
#if TRANS_A
    #define STORE_A if (tid < 64u) As[(tid / 8u) * (BM / 4u) + tid % 8u] = ra;
#else
    #define STORE_A if (tid < 64u) { \
            uint r = tid / 2u, k0 = (tid % 2u) * 4u; \
            [[unroll]] for (uint e = 0u; e < 4u; e++) As[((k0 + e) * BM + r) / 4u][r % 4u] = ra[e]; \
        }
#endif
#if TRANS_B
    #define STORE_B [[unroll]] for (uint l = 0u; l < LB; l++) { \
            uint v = tid + 256u * l, n = v / 2u, k0 = (v % 2u) * 4u; \
            [[unroll]] for (uint e = 0u; e < 4u; e++) Bs[(k0 + e) * (NCOLS / 4u) + n / 4u][n % 4u] = rb[l][e]; \
        }
#else
    #define STORE_B [[unroll]] for (uint l = 0u; l < LB; l++) Bs[tid + 256u * l] = rb[l];
#endif

    if (tiles > 0u) {
        LOAD_A(0u)
        LOAD_B(0u)
    }
    for (uint kt = 0u; kt < tiles; kt++) {
        STORE_A
        STORE_B
        barrier();
        if (kt + 1u < tiles) {
            LOAD_A(kt + 1u)
            LOAD_B(kt + 1u)
        }
        [[unroll]] for (uint k = 0u; k < BK; k++) {
            vec4 av0 = As[k * (BM / 4u) + ty * 2u], av1 = As[k * (BM / 4u) + ty * 2u + 1u];
            vec4 bv[NG];
            [[unroll]] for (uint g = 0u; g < NG; g++) bv[g] = Bs[k * (NCOLS / 4u) + g * 64u + tx];
            [[unroll]] for (uint i = 0u; i < 8u; i++) {
                float ai = i < 4u ? av0[i] : av1[i - 4u];
                [[unroll]] for (uint g = 0u; g < NG; g++) acc[i][g] = fma(vec4(ai), bv[g], acc[i][g]);
            }
        }
        barrier();
    }

    // the epilogue on every score of a row inside the product (rows past M keep theirs: never stored), then the row maxima
    float mx[8];
    [[unroll]] for (uint i = 0u; i < 8u; i++) {
        uint r = m0 + ty * 8u + i;
        mx[i] = -INF;
        [[unroll]] for (uint g = 0u; g < NG; g++) {
            uint col = g * 256u + tx * 4u;
            if (col < N) {
#if EPILOGUE
                if (r < M) {
                    uint at = cOff + r * N + col;
                    acc[i][g] = vec4(fused(at, acc[i][g].x), fused(at + 1u, acc[i][g].y), fused(at + 2u, acc[i][g].z), fused(at + 3u, acc[i][g].w));
                }
#endif
                [[unroll]] for (uint e = 0u; e < 4u; e++) mx[i] = nanMax(mx[i], acc[i][g][e]);
            }
        }
    }
    rowMax(mx, tid, ty, tx);
    float sum[8];
    [[unroll]] for (uint i = 0u; i < 8u; i++) {
        sum[i] = 0.0;
        [[unroll]] for (uint g = 0u; g < NG; g++) {
            if (g * 256u + tx * 4u < N) {
                acc[i][g] = exp(acc[i][g] - vec4(mx[i]));
                sum[i] += (acc[i][g].x + acc[i][g].y) + (acc[i][g].z + acc[i][g].w);
            }
        }
    }
    rowSum(sum, tid, ty, tx);
    [[unroll]] for (uint i = 0u; i < 8u; i++) {
        uint r = m0 + ty * 8u + i;
        if (r >= M) continue;
        [[unroll]] for (uint g = 0u; g < NG; g++) {
            uint col = g * 256u + tx * 4u;
            if (col < N) c4[(cOff + r * N + col) / 4u] = acc[i][g] / sum[i];
        }
    }
}
