#version 450
// Tiled fp32 matmul (MatMulKernel). Defines: BM, BN, BK (block tile, uint), TM, TN (per-invocation tile), ALIGNED
// (1: every dimension a multiple of its tile, no bounds checks), EPILOGUE (1: a fused group of elementwise nodes,
// fused_body.glsl, applied to every accumulator before the store, its EXTERNALS operands bound from binding 3 on),
// TRANS_A (1: A is stored transposed, [.., K, M] row-major, as the permuted copy it replaces would have read it: its
// tile is read a row of k at a time, M-contiguous like B's, straight into the k-major shared tile), TRANS_B (1: B is
// stored transposed, [.., N, K] row-major, a weight or a k of attention as it is kept: its tile is read as A's is,
// four k of one column a load, consecutive invocations along K, and stored transposed into the k-major shared tile,
// through the swizzle SWZ as A's), SPLITK (1: one product, no batch; workgroup z computes the partial product over its
// STEPS steps of K (push, after sb[]) into result matrix z, which split_sum.comp then adds in a fixed order; mode 0),
// STREAMK (1, with SPLITK: the K steps of all the tiles, tile after tile, dealt out in runs of STEPS to the workgroups
// along x, so each runs about as long as the others whatever the tile count; a run's part of a tile goes into result
// matrix r, its rank among the tile's runs, which stream_sum.comp then adds in that order),
// STAGES (1, the default: one shared tile pair, two barriers a step; 2: two pairs, one barrier a step), EPI_REGS (1: the
// epilogue applied to the accumulators as they are stored, instead of through the cache), REMAP (1: the result stored
// permuted, element (z, r, col) at C_AT's index from the push constants rm[] (MatMulKernel.Remap): attention's heads split or
// merged as the product stores, instead of a copy after it; not with SPLITK, the epilogue on the accumulators), TXN
// (invocations along N, 16 by default: the workgroup's 256 are TXN x 256/TXN), SOFTMAX (1: the workgroup's tile holds whole
// rows, BN == N, and the product, times the push constant scale, is stored as each row's softmax: attention's scores and
// their softmax in one pass, the scores never stored; aligned, without an epilogue, REMAP or SPLITK), RASTER (0: workgroup
// (x, y) computes tile (x, y); R > 0: the workgroups taken in their launch order, x fastest, walk bands of R rows of tiles
// column by column, so the workgroups resident together share R rows of A's tiles and fewer columns of B's; not STREAMK).
#extension GL_EXT_control_flow_attributes : enable
#ifndef SPLITK
#define SPLITK 0
#endif
#ifndef STREAMK
#define STREAMK 0
#endif
#if STREAMK && !SPLITK
#error "STREAMK is a way of SPLITK"
#endif
#ifndef TRANS_B
#define TRANS_B 0
#endif
#ifndef REMAP
#define REMAP 0
#endif
#ifndef TXN
#define TXN 16u
#endif
#ifndef SOFTMAX
#define SOFTMAX 0
#endif
#ifndef RASTER
#define RASTER 0
#endif
#if REMAP && (SPLITK || (EPILOGUE && !EPI_REGS))
#error "REMAP stores from the accumulators only: no SPLITK, an epilogue only with EPI_REGS"
#endif
#if SOFTMAX && (!ALIGNED || EPILOGUE || REMAP || SPLITK)
#error "SOFTMAX: aligned, without an epilogue, REMAP or SPLITK"
#endif
// invocations along M
#define TYM (256u / TXN)
// the tile's row of invocation (tx, ty)'s accumulator row i, and the column of its accumulator vec4 j: rows 4 apart in
// groups of 4, vec4 columns TXN apart, so neighbouring invocations read and write neighbouring 16 bytes
#define TILE_ROW(i) (ty * 4u + uint((i) % 4) + uint((i) / 4) * (TYM * 4u))
#define TILE_COL(j) (uint(j) * (TXN * 4u) + tx * 4u)
#define GM (TM / 4)
#define GN (TN / 4)
// vec4 loads of A's tile an invocation (a tile under 1024 floats: the first invocations load one each, A_LIVE)
#define LA ((BM * BK + 1023u) / 1024u)
#define A_LIVE(v) (BM * BK >= 1024u || (v) < BM * BK / 4u)
#define LB (BN * BK / 1024u)
// The XOR swizzle of a shared tile written transposed (A's unless TRANS_A, B's under TRANS_B): a warp's 32 invocations
// write BK/4 rows of k (kq) at 128/BK rows of m (columns of n) each, so the vec4 slot of row k is XOR-ed with SWZ(k), a
// different one for each kq within the slots a warp writes, and the writes fall in 32 different banks. Under 16, so a
// slot stays in the block of 16 that the reads index by ty (tx).
// (Off under SOFTMAX, whose TXN x TYM invocations need not index blocks of 16.)
#if SOFTMAX
#define SWZ(k) 0u
#else
#define SWZ(k) (((k) / 4u) * (32u / BK) % 8u)
#endif
#if TRANS_A
#define ASWZ(k) 0u
#else
#define ASWZ(k) SWZ(k)
#endif
#if TRANS_B
#define BSWZ(k) SWZ(k)
#else
#define BSWZ(k) 0u
#endif
layout(local_size_x = 256) in;
#if EPILOGUE
// the epilogue reads back what this workgroup stored (coherent: past the non-coherent L1, after a barrier)
#define CQ coherent
#else
#define CQ writeonly
#endif
layout(std430, binding = 0) CQ buffer C { float c[]; };
layout(std430, binding = 1) readonly buffer A { float a[]; };
layout(std430, binding = 2) readonly buffer B { float b[]; };
#if ALIGNED
layout(std430, binding = 0) CQ buffer C4 { vec4 c4[]; };
layout(std430, binding = 1) readonly buffer A4 { vec4 a4[]; };
layout(std430, binding = 2) readonly buffer B4 { vec4 b4[]; };
#endif
layout(push_constant) uniform P { uint M; uint N; uint K; uint mode; uint batchRank; uint bd[4]; uint sa[4]; uint sb[4];
#if SPLITK
                                  uint steps;
#endif
#if SOFTMAX
                                  float scale;
#endif
#if REMAP
                                  uint rm[9];
#endif
#if EPILOGUE
                                  uint ea[EXTERNALS]; uint eb[EXTERNALS];
#endif
                                  } pc;
#ifndef STAGES
#define STAGES 1
#endif
#ifndef EPI_REGS
#define EPI_REGS 0
#endif
#define ASTAGE (BK * BM / 4u)
#define BSTAGE (BK * BN / 4u)
shared vec4 As[STAGES * ASTAGE];
shared vec4 Bs[STAGES * BSTAGE];
#if SOFTMAX
// a row's partial maxima (then sums): one an invocation along N, folded by TPR invocations of PPR each, then by all
#define TPR (256u / BM)
#define PPR (TXN / TPR)
shared float rowPart[BM * TXN];
shared float rowFold[BM * TPR];
#endif

// modes 0-2 only: a product of half operands gives f32 (ShapeRules.accumulated), so never mode 3 or 4
float rnd(float v) { return pc.mode == 0u ? v : (pc.mode == 1u ? trunc(v) : (v != 0.0 ? 1.0 : 0.0)); }
#if EPILOGUE
#include "scalar.glsl"
#include "math.glsl"
#include "fused_body.glsl"
#endif

// where element (r, col) of result matrix z is stored
#if REMAP
#define C_AT(r, col) (gl_WorkGroupID.z / pc.rm[0] * pc.rm[1] + gl_WorkGroupID.z % pc.rm[0] * pc.rm[2] + (r) / pc.rm[3] * pc.rm[4] \
        + (r) % pc.rm[3] * pc.rm[5] + (col) / pc.rm[6] * pc.rm[7] + (col) % pc.rm[6] * pc.rm[8])
#else
#define C_AT(r, col) (cOff + (r) * N + (col))
#endif

#if SOFTMAX
// NaN-propagating max (GLSL leaves max(NaN, x) undefined), as cooperative.glsl's
float rowMax(float a, float b) { return isnan(a) ? a : (isnan(b) || b > a ? b : a); }

// v[i], this invocation's value for its row i, replaced by the max (or sum) over the row's TXN invocations: each writes its
// own, TPR invocations a row fold PPR each, then every invocation folds the TPR of its rows (a fixed order)
void foldRows(inout float v[TM], bool isMax, uint tid, uint tx, uint ty) {
    [[unroll]] for (int i = 0; i < TM; i++) rowPart[TILE_ROW(i) * TXN + tx] = v[i];
    barrier();
    uint row = tid / TPR, part = tid % TPR;
    float f = rowPart[row * TXN + part * PPR];
    for (uint p = 1u; p < PPR; p++) {
        float x = rowPart[row * TXN + part * PPR + p];
        f = isMax ? rowMax(f, x) : f + x;
    }
    rowFold[row * TPR + part] = f;
    barrier();
    [[unroll]] for (int i = 0; i < TM; i++) {
        uint at = TILE_ROW(i) * TPR;
        float g = rowFold[at];
        for (uint p = 1u; p < TPR; p++) g = isMax ? rowMax(g, rowFold[at + p]) : g + rowFold[at + p];
        v[i] = g;
    }
    barrier(); // rowPart and rowFold are written again by the next fold
}
#endif

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint tx = tid % TXN, ty = tid / TXN;
    uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN;
#if RASTER > 0 && !STREAMK
    {
        uint gx = gl_NumWorkGroups.x, gy = gl_NumWorkGroups.y;
        uint lin = gl_WorkGroupID.y * gx + gl_WorkGroupID.x, band = lin / (RASTER * gx);
        uint first = band * RASTER, rows = min(gy - first, RASTER), inBand = lin - band * RASTER * gx;
        m0 = (first + inBand % rows) * BM;
        n0 = (inBand / rows) * BN;
    }
#endif
    uint M = pc.M, N = pc.N, K = pc.K;
    uint t = gl_WorkGroupID.z, aOff = 0u, bOff = 0u;
#if !SPLITK
    for (int k = int(pc.batchRank) - 1; k >= 0; k--) {
        uint ci = t % pc.bd[k];
        t /= pc.bd[k];
        aOff += ci * pc.sa[k];
        bOff += ci * pc.sb[k];
    }
#endif
    uint cOff = gl_WorkGroupID.z * M * N;
    uint tiles = (K + BK - 1u) / BK;
#if STREAMK
    // this workgroup's run of steps [u, uEnd) over the tiles' steps laid end to end, one tile's part at a time
    uint tilesN = (N + BN - 1u) / BN;
    uint u = gl_WorkGroupID.x * pc.steps, uEnd = min(tilesN * ((M + BM - 1u) / BM) * tiles, u + pc.steps);
    while (u < uEnd) {
    uint tile = u / tiles;
    uint kt0 = u % tiles, kt1 = min(tiles, kt0 + (uEnd - u));
    m0 = (tile / tilesN) * BM;
    n0 = (tile % tilesN) * BN;
    cOff = (gl_WorkGroupID.x - tile * tiles / pc.steps) * M * N;   // the run's rank among its tile's runs
#elif SPLITK
    uint kt0 = gl_WorkGroupID.z * pc.steps, kt1 = min(tiles, kt0 + pc.steps);
#else
    uint kt0 = 0u, kt1 = tiles;
#endif

    vec4 acc[TM][GN];
    [[unroll]] for (int i = 0; i < TM; i++) [[unroll]] for (int j = 0; j < GN; j++) acc[i][j] = vec4(0.0);
    vec4 ra[LA];
    vec4 rb[LB];

    // Loads step kt's tiles of A (BM x BK) and B (BK x BN) into registers.
#if TRANS_A
    #define A_INDEX(kt) uint v = tid + 256u * l, row = v / (BM / 4u), gr = m0 + (v % (BM / 4u)) * 4u, gk = (kt) * BK + row;
#else
    #define A_INDEX(kt) uint v = tid + 256u * l, row = v / (BK / 4u), gk = (kt) * BK + (v % (BK / 4u)) * 4u, gr = m0 + row;
#endif
    #define LOAD(kt) { \
        [[unroll]] for (uint l = 0u; l < LA; l++) if (A_LIVE(tid + 256u * l)) { \
            A_INDEX(kt) \
            LOAD_A \
        } \
        [[unroll]] for (uint l = 0u; l < LB; l++) { \
            B_INDEX(kt) \
            LOAD_B \
        } }
#if TRANS_B
    #define B_INDEX(kt) uint v = tid + 256u * l, col = v / (BK / 4u), gk = (kt) * BK + (v % (BK / 4u)) * 4u, gc = n0 + col;
#else
    #define B_INDEX(kt) uint v = tid + 256u * l, row = v / (BN / 4u), gc = n0 + (v % (BN / 4u)) * 4u, gk = (kt) * BK + row;
#endif
#if ALIGNED && TRANS_A
    #define LOAD_A ra[l] = a4[(aOff + gk * M + gr) / 4u];
#elif ALIGNED
    #define LOAD_A ra[l] = a4[(aOff + gr * K + gk) / 4u];
#elif TRANS_A
    #define LOAD_A [[unroll]] for (uint e = 0u; e < 4u; e++) ra[l][e] = (gk < K && gr + e < M) ? a[aOff + gk * M + gr + e] : 0.0;
#else
    #define LOAD_A [[unroll]] for (uint e = 0u; e < 4u; e++) ra[l][e] = (gr < M && gk + e < K) ? a[aOff + gr * K + gk + e] : 0.0;
#endif
#if ALIGNED && TRANS_B
    #define LOAD_B rb[l] = b4[(bOff + gc * K + gk) / 4u];
#elif ALIGNED
    #define LOAD_B rb[l] = b4[(bOff + gk * N + gc) / 4u];
#elif TRANS_B
    #define LOAD_B [[unroll]] for (uint e = 0u; e < 4u; e++) rb[l][e] = (gc < N && gk + e < K) ? b[bOff + gc * K + gk + e] : 0.0;
#else
    #define LOAD_B [[unroll]] for (uint e = 0u; e < 4u; e++) rb[l][e] = (gk < K && gc + e < N) ? b[bOff + gk * N + gc + e] : 0.0;
#endif
    // the registers' tiles into shared stage st (a constant: 0, or 1 with two stages)
#if TRANS_A
    #define STORE_A(st) [[unroll]] for (uint l = 0u; l < LA; l++) if (A_LIVE(tid + 256u * l)) As[(st) * ASTAGE + tid + 256u * l] = ra[l];
#else
    #define STORE_A(st) [[unroll]] for (uint l = 0u; l < LA; l++) if (A_LIVE(tid + 256u * l)) { \
            uint v = tid + 256u * l, row = v / (BK / 4u), kq = v % (BK / 4u); \
            [[unroll]] for (uint e = 0u; e < 4u; e++) { \
                uint k = kq * 4u + e; \
                As[(st) * ASTAGE + k * (BM / 4u) + ((row / 4u) ^ ASWZ(k))][row % 4u] = ra[l][e]; \
            } \
        }
#endif
#if TRANS_B
    // B's tile through the swizzle (SWZ)
    #define STORE_B(st) [[unroll]] for (uint l = 0u; l < LB; l++) { \
            uint v = tid + 256u * l, col = v / (BK / 4u), kq = v % (BK / 4u); \
            [[unroll]] for (uint e = 0u; e < 4u; e++) { \
                uint k = kq * 4u + e; \
                Bs[(st) * BSTAGE + k * (BN / 4u) + ((col / 4u) ^ BSWZ(k))][col % 4u] = rb[l][e]; \
            } \
        }
#else
    #define STORE_B(st) [[unroll]] for (uint l = 0u; l < LB; l++) Bs[(st) * BSTAGE + tid + 256u * l] = rb[l];
#endif
    #define STORE(st) { STORE_A(st) STORE_B(st) }
    // the step's products from shared stage st
    #define COMPUTE(st) [[unroll]] for (uint k = 0u; k < BK; k++) { \
            vec4 av[GM]; \
            vec4 bv[GN]; \
            [[unroll]] for (int g = 0; g < GM; g++) av[g] = As[(st) * ASTAGE + k * (BM / 4u) + uint(g) * TYM + (ty ^ ASWZ(k))]; \
            [[unroll]] for (int g = 0; g < GN; g++) bv[g] = Bs[(st) * BSTAGE + k * (BN / 4u) + uint(g) * TXN + (tx ^ BSWZ(k))]; \
            [[unroll]] for (int i = 0; i < TM; i++) { \
                float ai = av[i / 4][i % 4]; \
                [[unroll]] for (int j = 0; j < GN; j++) acc[i][j] = fma(vec4(ai), bv[j], acc[i][j]); \
            } \
        }
#if STAGES == 2
    // two shared stages, the loop unrolled by two so each half names its stage as a constant: the next step's tiles are
    // stored into the other stage while this one's are read, one barrier a step (stage s was last read before the barrier
    // that ended the step before)
    if (kt0 < kt1) {
        LOAD(kt0)
        STORE(0u)
    }
    barrier();
    uint kt = kt0;
    for (; kt + 1u < kt1; kt += 2u) {
        LOAD(kt + 1u)
        COMPUTE(0u)
        STORE(1u)
        barrier();
        if (kt + 2u < kt1) LOAD(kt + 2u)
        COMPUTE(1u)
        if (kt + 2u < kt1) STORE(0u)
        barrier();
    }
    if (kt < kt1) COMPUTE(0u)
#else
    if (kt0 < kt1) LOAD(kt0)
    for (uint kt = kt0; kt < kt1; kt++) {
        STORE(0u)
        barrier();
        if (kt + 1u < kt1) LOAD(kt + 1u)
        COMPUTE(0u)
        barrier();
    }
#endif

#if EPILOGUE && EPI_REGS
    // The epilogue on the accumulators (EPI_REGS 1): the group applied to each as it is stored, its operands read then; the
    // tile is written once and never read back
    [[unroll]] for (int i = 0; i < TM; i++) {
        uint r = m0 + TILE_ROW(i);
        [[unroll]] for (int j = 0; j < GN; j++) {
            uint col = n0 + TILE_COL(j);
            vec4 v = acc[i][j];
#if ALIGNED
            uint at = cOff + r * N + col;
            c4[C_AT(r, col) / 4u] = vec4(fused(at, v.x), fused(at + 1u, v.y), fused(at + 2u, v.z), fused(at + 3u, v.w));
#else
            if (r < M) {
                [[unroll]] for (uint e = 0u; e < 4u; e++) if (col + e < N) c[C_AT(r, col + e)] = fused(cOff + r * N + col + e, v[e]);
            }
#endif
        }
    }
#elif EPILOGUE
    // The epilogue through the cache: the accumulators are stored as they are (as without an epilogue), then, once every
    // invocation's stores are visible, the workgroup applies the fused group to its tile in vec4 rows, EU of them in
    // flight an invocation, so the externals' reads overlap instead of each waiting on the last; the accumulators are
    // dead by then, so the group's code has the registers to itself. The tile is still in L2 when it is read back.
    [[unroll]] for (int i = 0; i < TM; i++) {
        uint r = m0 + TILE_ROW(i);
        [[unroll]] for (int j = 0; j < GN; j++) {
            uint col = n0 + TILE_COL(j);
#if ALIGNED
            c4[(cOff + r * N + col) / 4u] = acc[i][j];
#else
            if (r < M) {
                [[unroll]] for (uint e = 0u; e < 4u; e++) if (col + e < N) c[cOff + r * N + col + e] = acc[i][j][e];
            }
#endif
        }
    }
    memoryBarrierBuffer();
    barrier();
    #define EV (BM * BN / 1024u)
    #define EU 4u
    for (uint u0 = 0u; u0 < EV; u0 += EU) {
        [[unroll]] for (uint u = 0u; u < EU; u++) {
            uint q = tid + 256u * (u0 + u), gr = m0 + q / (BN / 4u), gc = n0 + (q % (BN / 4u)) * 4u;
#if ALIGNED
            uint at = cOff + gr * N + gc;
            vec4 v = c4[at / 4u];
            c4[at / 4u] = vec4(fused(at, v.x), fused(at + 1u, v.y), fused(at + 2u, v.z), fused(at + 3u, v.w));
#else
            if (gr < M) {
                [[unroll]] for (uint e = 0u; e < 4u; e++) {
                    uint at = cOff + gr * N + gc + e;
                    if (gc + e < N) c[at] = fused(at, c[at]);
                }
            }
#endif
        }
    }
#else
#if SOFTMAX
    // Each row's softmax over the workgroup's whole rows: the row's max, then the exponentials and their sum, each folded
    // over the row's TXN invocations in a fixed order (bit-identical run to run); NaN propagates as softmax.comp's.
    float rowVal[TM];
    [[unroll]] for (int i = 0; i < TM; i++) {
        float m = uintBitsToFloat(0xff800000u);  // -inf
        [[unroll]] for (int j = 0; j < GN; j++) acc[i][j] *= pc.scale;   // the product's scale (1: none), as its epilogue would
        [[unroll]] for (int j = 0; j < GN; j++) m = rowMax(m, rowMax(rowMax(acc[i][j].x, acc[i][j].y), rowMax(acc[i][j].z, acc[i][j].w)));
        rowVal[i] = m;
    }
    foldRows(rowVal, true, tid, tx, ty);
    [[unroll]] for (int i = 0; i < TM; i++) {
        float sum = 0.0;
        [[unroll]] for (int j = 0; j < GN; j++) {
            acc[i][j] = exp(acc[i][j] - rowVal[i]);
            sum += (acc[i][j].x + acc[i][j].y) + (acc[i][j].z + acc[i][j].w);
        }
        rowVal[i] = sum;
    }
    foldRows(rowVal, false, tid, tx, ty);
    [[unroll]] for (int i = 0; i < TM; i++) [[unroll]] for (int j = 0; j < GN; j++) acc[i][j] /= rowVal[i];
#endif
    [[unroll]] for (int i = 0; i < TM; i++) {
        uint r = m0 + TILE_ROW(i);
        [[unroll]] for (int j = 0; j < GN; j++) {
            uint col = n0 + TILE_COL(j);
#if ALIGNED
            if (pc.mode == 0u) {
                c4[C_AT(r, col) / 4u] = acc[i][j];
                continue;
            }
#endif
            if (r < M) {
                [[unroll]] for (uint e = 0u; e < 4u; e++) if (col + e < N) c[C_AT(r, col + e)] = rnd(acc[i][j][e]);
            }
        }
    }
#endif
#if STREAMK
    u += kt1 - kt0;
    barrier();   // the next part's first tiles go into shared memory this part's last step may still read
    }
#endif
}
