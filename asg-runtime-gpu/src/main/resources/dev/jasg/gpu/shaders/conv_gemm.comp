#version 450
#include "conv_geometry.glsl"
// Tiled implicit-GEMM convolution (ConvKernels.gemm). Defines: TX, TY, TM, TN, S (slices), BK, KH, KW, SH/SW (transposed
// only), SWIZZLE (1: A's tile through ASWZ), TAPMAJOR (1: the weight copied tap-major, ConvKernels.relayout), BKMAJOR (1:
// B loaded along k), OPERANDS (1 forward, 2 forward flat, 3 transposed, 4 weight gradient), SPLITK (1, weight gradient
// only: the workgroup's phase is its split of the reduction, pc.splitSteps steps each, and it stores its partial tile unrounded
// at split * G M NC in the workspace bound as the output; split_sum.comp adds the splits). Push: M, NC, K, N, G,
// tilesN, tilesM, total, mode, then the geometry (then splitSteps).
#extension GL_EXT_control_flow_attributes : enable
#define T (TX * TY)
#define BM (TY * TM)
#define BN (TX * TN)
#define GM (TM / 4)
#define GN (TN / 4)
#define LA (BM * BK / T)
#define LB (BN * BK / T)
// A's tile is written transposed (k-major): a warp's invocations write consecutive k of one row, which without a swizzle
// all land in one bank (BM floats apart). So the vec4 slot of row k is XOR-ed with ASWZ(k), which stays below TY and so
// within the reader's group of TY slots (reads XOR ty the same way; k is uniform across a warp there, so reads keep their
// pattern). SWIZZLE 0 (-Djasg.vulkan.conv.swizzle=false) writes as stored, to compare.
#if SWIZZLE
#define ASWZ(k) ((k) % (TY < 8 ? TY : 8))
#else
#define ASWZ(k) 0
#endif
// BKMAJOR (weight gradient only): B's invocations load along k (the image row's consecutive columns) instead of along B's
// columns (channel and tap, scattered over the image), so B's tile is written transposed too, through BSWZ like A's.
#if BKMAJOR
#define BSWZ(k) ((k) % (TX < 8 ? TX : 8))
#else
#define BSWZ(k) 0
#endif
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer I0 { float in0[]; };
layout(std430, binding = 2) readonly buffer I1 { float in1[]; };
layout(push_constant) uniform P { int M; int NC; int K; int N; int G; int tilesN; int tilesM; int total; uint mode; GEOMETRY
#if SPLITK
                                  int splitSteps;
#endif
                                  } pc;
shared vec4 As[S][BK * BM / 4];
shared vec4 Bs[S][BK * BN / 4];
#if S > 1
shared vec4 partial[S / 2 * T * TM * GN];
#endif
int grp, NCw, nSteps;
bool bok, sLive;

float rnd(float v) { return pc.mode == 0u ? v : (pc.mode == 1u ? trunc(v) : (v != 0.0 ? 1.0 : 0.0)); }

#if OPERANDS == 1
#include "conv_forward_operands.glsl"
#elif OPERANDS == 2
#include "conv_forward_flat_operands.glsl"
#elif OPERANDS == 3
#include "conv_transposed_operands.glsl"
#else
#include "conv_weight_grad_operands.glsl"
#endif
void main() {
    int wg = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
    if (wg >= pc.total) return;
    int tn = wg % pc.tilesN, rest = wg / pc.tilesN, tm = rest % pc.tilesM;
    rest /= pc.tilesM;
    grp = rest % pc.G;
    setupWG(rest / pc.G);
#if SPLITK
    int splitBase = (rest / pc.G) * pc.G * pc.M * pc.NC;
#endif
    int m0 = tm * BM, n0 = tn * BN;
    // phases after the first may have fewer columns: whole workgroups drop out (uniformly, before any barrier)
    if (n0 >= NCw) return;
    int M = pc.M, NC = NCw;
    int tid = int(gl_LocalInvocationID.x), slice = tid / T, lt = tid % T, tx = lt % TX, ty = lt / TX;
    // This invocation always loads A at k offset lt % BK and B at column lt % BN.
    int ak = lt % BK, bc = lt % BN, bcol = n0 + bc;
    bok = bcol < NC;
    if (bok) setupB(bcol);

    vec4 acc[TM][GN];
    [[unroll]] for (int i = 0; i < TM; i++) [[unroll]] for (int j = 0; j < GN; j++) acc[i][j] = vec4(0.0);
    float ra[LA];
    float rb[LB];
    // Slice s takes steps s, s + S, ...; every slice runs the same number of rounds (barriers), past the end it loads zeros.
    int rounds = (nSteps + S - 1) / S;

#if BKMAJOR
    #define LOADB [[unroll]] for (int l = 0; l < LB; l++) rb[l] = sLive ? loadBAt(n0 + lt / BK + l * (T / BK), ak) : 0.0;
#else
    #define LOADB [[unroll]] for (int l = 0; l < LB; l++) rb[l] = (sLive && bok) ? loadB(lt / BN + l * (T / BN)) : 0.0;
#endif
    #define LOAD(st) { \
        stepSetup(st); \
        [[unroll]] for (int l = 0; l < LA; l++) { \
            int gr = m0 + lt / BK + l * (T / BK); \
            ra[l] = (sLive && gr < M) ? loadA(gr, ak) : 0.0; \
        } \
        LOADB }
    LOAD(slice)
    for (int s = 0; s < rounds; s++) {
        [[unroll]] for (int l = 0; l < LA; l++) {
            int row = lt / BK + l * (T / BK);
            As[slice][ak * (BM / 4) + ((row / 4) ^ ASWZ(ak))][row % 4] = ra[l];
        }
        [[unroll]] for (int l = 0; l < LB; l++) {
#if BKMAJOR
            int col = lt / BK + l * (T / BK);
            Bs[slice][ak * (BN / 4) + ((col / 4) ^ BSWZ(ak))][col % 4] = rb[l];
#else
            int at = (lt / BN + l * (T / BN)) * BN + bc;
            Bs[slice][at / 4][at % 4] = rb[l];
#endif
        }
        barrier();
        if (s + 1 < rounds) LOAD((s + 1) * S + slice)
        // the k loop is left to the driver's compiler: unrolling it here multiplies shaderc's time by BK
        for (int k = 0; k < BK; k++) {
            vec4 av[GM];
            vec4 bv[GN];
            [[unroll]] for (int g = 0; g < GM; g++) av[g] = As[slice][k * (BM / 4) + g * TY + (ty ^ ASWZ(k))];
            [[unroll]] for (int g = 0; g < GN; g++) bv[g] = Bs[slice][k * (BN / 4) + g * TX + (tx ^ BSWZ(k))];
            [[unroll]] for (int i = 0; i < TM; i++) {
                float a = av[i / 4][i % 4];
                [[unroll]] for (int j = 0; j < GN; j++) acc[i][j] = fma(vec4(a), bv[j], acc[i][j]);
            }
        }
        barrier();
    }
#if S > 1
    // The slices' partial tiles are added by a fixed tree (slice s + h onto s, h = S/2, S/4, ...),
    // so the sum does not depend on scheduling.
    for (int h = S / 2; h >= 1; h /= 2) {
        if (slice >= h && slice < 2 * h) {
            [[unroll]] for (int i = 0; i < TM; i++) [[unroll]] for (int j = 0; j < GN; j++)
                partial[(((slice - h) * T + lt) * TM + i) * GN + j] = acc[i][j];
        }
        barrier();
        if (slice < h) {
            [[unroll]] for (int i = 0; i < TM; i++) [[unroll]] for (int j = 0; j < GN; j++)
                acc[i][j] += partial[((slice * T + lt) * TM + i) * GN + j];
        }
        barrier();
    }
    if (slice > 0) return;
#endif

    [[unroll]] for (int j = 0; j < TN; j++) {
        int col = n0 + (j / 4) * (TX * 4) + tx * 4 + j % 4;
        if (col >= NC) continue;
        int base = outBase(col);
        [[unroll]] for (int i = 0; i < TM; i++) {
            int r = m0 + ty * 4 + i % 4 + (i / 4) * (TY * 4);
#if SPLITK
            if (r < M) y[splitBase + base + r * OUT_ROW] = acc[i][j / 4][j % 4];
#else
            if (r < M) y[base + r * OUT_ROW] = rnd(acc[i][j / 4][j % 4]);
#endif
        }
    }
}
