// The tiled, register-blocked fp32 matrix product C[t] = A[t] B[t] over a batch t (leading axes broadcast through
// per-batch strides). Built per tile configuration with -D BM, BN, BK (BM, BN multiples of 64, BK of 4),
// ALIGNED (0 or 1) and UNROLL (0 or 1).
//
// A work-group of 16 x 16 work-items computes a BM x BN tile of C; each holds a TM x TN block of accumulators in
// registers: rows ty*4 + i%4 + (i/4)*64 and columns tx*4 + j%4 + (j/4)*64, so every local-memory read is a float4
// and neighbouring work-items read neighbouring vectors. Per step of BK along K, the A tile is stored transposed and
// the B tile as is in local memory, double-buffered: the next step's tiles are loaded from global memory into
// registers while this step computes, then stored into the other buffer, so each step needs one barrier.
// The aligned variant (M, N multiples of the tile, K of BK) reads and writes float4s without bounds checks; the
// general one checks every element, so any size works.

#ifndef BM
#define BM 128
#endif
#ifndef BN
#define BN 128
#endif
#ifndef BK
#define BK 16
#endif
#ifndef ALIGNED
#define ALIGNED 0
#endif
// UNROLL 0 leaves the loops rolled: CPU runtimes (pocl) compile the work-group function at the first launch, and
// the fully unrolled 128 x 128 kernel takes them tens of seconds
#ifndef UNROLL
#define UNROLL 1
#endif
#if UNROLL
#define PRAGMA_UNROLL _Pragma("unroll")
#else
#define PRAGMA_UNROLL
#endif
#define TM (BM / 16)
#define TN (BN / 16)
#define GM (TM / 4)
#define GN (TN / 4)
#define LA (BM * BK / 1024)
#define LB (BK * BN / 1024)
#define MAX_BATCH_RANK 4

// tilesN, tilesM: work-groups along N and M; the launch is one-dimensional (N tiles fastest, then M tiles, then the
// batch), so no grid dimension limit applies and neighbouring work-groups share a panel of A in the cache.
typedef struct { int M; int N; int K; int mode; int rank; int bd[MAX_BATCH_RANK]; int sa[MAX_BATCH_RANK]; int sb[MAX_BATCH_RANK];
                 int tilesN; int tilesM; } MatMulArgs;

__kernel __attribute__((reqd_work_group_size(256, 1, 1)))
void matmul(__global float* c, const ulong cOff, __global const float* a, const ulong aOff, __global const float* b, const ulong bOff,
        const MatMulArgs p) {
    c += cOff; a += aOff; b += bOff;
    __local float4 As[2][BK][BM / 4];
    __local float4 Bs[2][BK][BN / 4];
    const int tid = get_local_id(0), tx = tid % 16, ty = tid / 16;
    const int g = get_group_id(0), gm = g / p.tilesN;
    const int n0 = (g - gm * p.tilesN) * BN, m0 = (gm % p.tilesM) * BM, t = gm / p.tilesM;
    const int M = p.M, N = p.N, K = p.K;
    long aBatch = 0, bBatch = 0;
    int u = t;
    for (int k = p.rank - 1; k >= 0; k--) {
        int cc = u % p.bd[k];
        u /= p.bd[k];
        aBatch += (long) cc * p.sa[k];
        bBatch += (long) cc * p.sb[k];
    }
    const long cBatch = (long) t * M * N;
    __global const float* A = a + aBatch;
    __global const float* B = b + bBatch;

    float4 acc[TM][GN];
PRAGMA_UNROLL
    for (int i = 0; i < TM; i++) {
PRAGMA_UNROLL
        for (int j = 0; j < GN; j++) acc[i][j] = (float4) (0.0f);
    }
    float4 ra[LA], rb[LB];
    const int tiles = (K + BK - 1) / BK;

#if ALIGNED
#define LOAD(kt) \
    PRAGMA_UNROLL for (int l = 0; l < LA; l++) { \
        int v = tid + 256 * l, row = v / (BK / 4), kq = v % (BK / 4); \
        ra[l] = *((__global const float4*) (A + (long) (m0 + row) * K + (kt) * BK + kq * 4)); \
    } \
    PRAGMA_UNROLL for (int l = 0; l < LB; l++) { \
        int v = tid + 256 * l, kk = v / (BN / 4), cq = v % (BN / 4); \
        rb[l] = *((__global const float4*) (B + (long) ((kt) * BK + kk) * N + n0 + cq * 4)); \
    }
#else
#define LDA(r, k) ((r) < M && (k) < K ? A[(long) (r) * K + (k)] : 0.0f)
#define LDB(k, cc) ((k) < K && (cc) < N ? B[(long) (k) * N + (cc)] : 0.0f)
#define LOAD(kt) \
    PRAGMA_UNROLL for (int l = 0; l < LA; l++) { \
        int v = tid + 256 * l, gr = m0 + v / (BK / 4), gk = (kt) * BK + (v % (BK / 4)) * 4; \
        ra[l] = (float4) (LDA(gr, gk), LDA(gr, gk + 1), LDA(gr, gk + 2), LDA(gr, gk + 3)); \
    } \
    PRAGMA_UNROLL for (int l = 0; l < LB; l++) { \
        int v = tid + 256 * l, gk = (kt) * BK + v / (BN / 4), gc = n0 + (v % (BN / 4)) * 4; \
        rb[l] = (float4) (LDB(gk, gc), LDB(gk, gc + 1), LDB(gk, gc + 2), LDB(gk, gc + 3)); \
    }
#endif
#define STORE(buf) \
    PRAGMA_UNROLL for (int l = 0; l < LA; l++) { \
        int v = tid + 256 * l, row = v / (BK / 4), kq = v % (BK / 4); \
        __local float* at = (__local float*) As[buf]; \
        at[(kq * 4 + 0) * BM + row] = ra[l].s0; \
        at[(kq * 4 + 1) * BM + row] = ra[l].s1; \
        at[(kq * 4 + 2) * BM + row] = ra[l].s2; \
        at[(kq * 4 + 3) * BM + row] = ra[l].s3; \
    } \
    PRAGMA_UNROLL for (int l = 0; l < LB; l++) { \
        int v = tid + 256 * l; \
        Bs[buf][v / (BN / 4)][v % (BN / 4)] = rb[l]; \
    }

    if (tiles > 0) {
        LOAD(0)
        STORE(0)
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int kt = 0; kt < tiles; kt++) {
        const int buf = kt & 1;
        if (kt + 1 < tiles) {
            LOAD(kt + 1)
        }
PRAGMA_UNROLL
        for (int k = 0; k < BK; k++) {
            float af[TM];
            float4 bv[GN];
PRAGMA_UNROLL
            for (int g = 0; g < GM; g++) {
                float4 av = As[buf][k][g * 16 + ty];
                af[g * 4 + 0] = av.s0;
                af[g * 4 + 1] = av.s1;
                af[g * 4 + 2] = av.s2;
                af[g * 4 + 3] = av.s3;
            }
PRAGMA_UNROLL
            for (int g = 0; g < GN; g++) bv[g] = Bs[buf][k][g * 16 + tx];
PRAGMA_UNROLL
            for (int i = 0; i < TM; i++) {
PRAGMA_UNROLL
                for (int j = 0; j < GN; j++) acc[i][j] = fma((float4) (af[i]), bv[j], acc[i][j]);
            }
        }
        if (kt + 1 < tiles) {
            STORE(buf ^ 1)
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

PRAGMA_UNROLL
    for (int i = 0; i < TM; i++) {
        const int r = m0 + ty * 4 + (i % 4) + (i / 4) * 64;
PRAGMA_UNROLL
        for (int j = 0; j < GN; j++) {
            const int col = n0 + j * 64 + tx * 4;
            __global float* cp = c + cBatch + (long) r * N + col;
#if ALIGNED
            if (p.mode == 0) {
                *((__global float4*) cp) = acc[i][j];
                continue;
            }
#endif
            if (r < M) {
                if (col < N) cp[0] = rnd(acc[i][j].s0, p.mode);
                if (col + 1 < N) cp[1] = rnd(acc[i][j].s1, p.mode);
                if (col + 2 < N) cp[2] = rnd(acc[i][j].s2, p.mode);
                if (col + 3 < N) cp[3] = rnd(acc[i][j].s3, p.mode);
            }
        }
    }
}
