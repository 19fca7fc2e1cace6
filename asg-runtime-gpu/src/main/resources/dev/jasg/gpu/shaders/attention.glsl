// Shared by the fused attention kernels (AttentionKernels): FlashAttention-style blocking, the [Lq, Lk] scores never
// stored. A workgroup of 256 invocations (16 x 16: tx = column, ty = row) owns a block of BR rows (its "own" block:
// queries for the forward, stats and query gradient, keys for the key and value gradients) and walks the other axis
// in blocks of BC ("columns"). Each invocation holds a TR x TC tile of scores (rows ty + 16 i, columns tx + 16 j) and a
// TR x TO tile of its output (columns tx + 16 j of a D-wide output chunk, the workgroup's z). Operands are staged in
// shared memory D columns at a time (padded rows of SD words, so that the 16 columns of a half-warp fall in 16 banks
// and the rows of the two half-warps are broadcast); an own-block operand whose length fits one chunk is staged once.
// Defines: BR, BC, D (uint, multiples of 16), ROW_OPERANDS (1 or 2 own-block operands resident in Ra, Rb).
// Push: batch, Lq, Lk, E, Ev, own (own blocks per batch matrix), causal, scale (float bits).
layout(push_constant) uniform P { uint batch; uint Lq; uint Lk; uint E; uint Ev; uint own; uint causal; float scale; } pc;
#define TR (BR / 16u)
#define TC (BC / 16u)
#define TO (D / 16u)
#define SD (D + 1u)
#define SP (BC + 1u)
shared float Ra[BR * SD];
#if ROW_OPERANDS == 2
shared float Rb[BR * SD];
#endif
shared float Cs[BC * SD];
shared float Ps[BR * SP];
shared float red[BR * 17u];
uint tx, ty;

void initIds() {
    tx = gl_LocalInvocationID.x % 16u;
    ty = gl_LocalInvocationID.x / 16u;
}

// SH[r][e] = X[base + (row0 + r) * len + c0 + e] for the N rows and D columns of a chunk, 0 past row limit or column len;
// consecutive invocations read consecutive columns of a row (coalesced when len >= D)
#define STAGE(SH, N, X, base, row0, limit, len, c0) \
    for (uint t_ = gl_LocalInvocationID.x; t_ < (N) * D; t_ += 256u) { \
        uint r_ = t_ / D, e_ = t_ % D, gr_ = (row0) + r_, ge_ = (c0) + e_; \
        SH[r_ * SD + e_] = gr_ < (limit) && ge_ < (len) ? X[(base) + gr_ * (len) + ge_] : 0.0; \
    }

// acc[i][j] += sum_{e < n} RS[ty + 16 i][e] Cs[tx + 16 j][e]: the scores of the staged chunk, e in order (deterministic)
#define DOT(NAME, RS) \
void NAME(inout float acc[TR][TC], uint n) { \
    for (uint e = 0u; e < n; e++) { \
        float a[TR]; \
        float c[TC]; \
        [[unroll]] for (uint i = 0u; i < TR; i++) a[i] = RS[(ty + 16u * i) * SD + e]; \
        [[unroll]] for (uint j = 0u; j < TC; j++) c[j] = Cs[(tx + 16u * j) * SD + e]; \
        [[unroll]] for (uint i = 0u; i < TR; i++) [[unroll]] for (uint j = 0u; j < TC; j++) acc[i][j] = fma(a[i], c[j], acc[i][j]); \
    } \
}
DOT(dotRa, Ra)
#if ROW_OPERANDS == 2
DOT(dotRb, Rb)
#endif

// out[i][o] += sum_{c < n} Ps[ty + 16 i][c] Cs[c][tx + 16 o]: the weights (or their gradients) times the staged chunk
void accumulate(inout float out_[TR][TO], uint n) {
    for (uint c = 0u; c < n; c++) {
        float p[TR];
        float x[TO];
        [[unroll]] for (uint i = 0u; i < TR; i++) p[i] = Ps[(ty + 16u * i) * SP + c];
        [[unroll]] for (uint o = 0u; o < TO; o++) x[o] = Cs[c * SD + tx + 16u * o];
        [[unroll]] for (uint i = 0u; i < TR; i++) [[unroll]] for (uint o = 0u; o < TO; o++) out_[i][o] = fma(p[i], x[o], out_[i][o]);
    }
}

// accumulate for a block crossing the causal diagonal: the pairs the mask leaves out are skipped, not added with weight 0
// (0 times a NaN or infinite operand is NaN, and the reference never reads them). Own row r (row0 + ty + 16 i) and
// column c (col0 + c) pair when c <= r, or with keysOwn (the rows are keys) when r <= c.
void accumulateCausal(inout float out_[TR][TO], uint n, uint row0, uint col0, bool keysOwn) {
    for (uint c = 0u; c < n; c++) {
        float p[TR];
        float x[TO];
        bool ok[TR];
        [[unroll]] for (uint i = 0u; i < TR; i++) {
            uint r = row0 + ty + 16u * i;
            p[i] = Ps[(ty + 16u * i) * SP + c];
            ok[i] = keysOwn ? r <= col0 + c : col0 + c <= r;
        }
        [[unroll]] for (uint o = 0u; o < TO; o++) x[o] = Cs[c * SD + tx + 16u * o];
        [[unroll]] for (uint i = 0u; i < TR; i++) if (ok[i]) [[unroll]] for (uint o = 0u; o < TO; o++) out_[i][o] = fma(p[i], x[o], out_[i][o]);
    }
}

// the workgroup's batch matrix and own block, from the flattened x, y grid
void ownBlock(out uint b, out uint blk) {
    uint gid = groupId();
    b = gid / pc.own;
    blk = gid % pc.own;
}
