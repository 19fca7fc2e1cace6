// Shared by the fused attention kernels (AttentionKernels): FlashAttention-style blocking, the [Lq, Lk] scores never
// stored. A workgroup of 256 invocations (16 x 16: tx, ty) owns a block of BR rows (its "own" block: queries for the
// forward, stats and query gradient, keys for the key and value gradients) and walks the other axis in blocks of BC
// ("columns"). Each invocation holds a TR x TC tile of scores (rows ty + 16 i, columns tx + 16 j) and a TR x 4 TG tile of
// its output (the vec4 of columns 4 tx + 64 g of a D-wide output chunk, the workgroup's z). Operands are staged in shared
// memory D columns at a time, rows padded to SD words (a multiple of 4 that is 4 mod 32: the vec4 reads of 8 consecutive
// rows by a quarter-warp fall in 32 distinct banks, and the two half-warps' rows are broadcast), and read as vec4 along
// the reduced axis: a few shared loads per 16 fma. An own-block operand whose length fits one chunk is staged once.
// Sums run in a fixed order (deterministic). Defines: BR, BC (uint, multiples of 16), D (uint, a multiple of 64),
// ROW_OPERANDS (1 or 2 own-block operands in Ra, Rb). Push: batch, Lq, Lk, E, Ev, own (own blocks per batch matrix),
// causal, scale (float bits).
layout(push_constant) uniform P { uint batch; uint Lq; uint Lk; uint E; uint Ev; uint own; uint causal; float scale; } pc;
#define TR (BR / 16u)
#define TC (BC / 16u)
#define TG (D / 64u)
#define SD (D + 4u)
#define SP (BC + 4u)
shared vec4 Ra[BR * SD / 4u];
#if ROW_OPERANDS == 2
shared vec4 Rb[BR * SD / 4u];
#endif
shared vec4 Cs[BC * SD / 4u];
shared vec4 Ps[BR * SP / 4u];
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
        SH[r_ * (SD / 4u) + e_ / 4u][e_ % 4u] = gr_ < (limit) && ge_ < (len) ? X[(base) + gr_ * (len) + ge_] : 0.0; \
    }

// acc[i][j] += sum_{e < n} RS[ty + 16 i][e] Cs[tx + 16 j][e]: the scores of the staged chunk, e in order (the columns
// past n up to a multiple of 4 are staged zeros)
#define DOT(NAME, RS) \
void NAME(inout float acc[TR][TC], uint n) { \
    for (uint e = 0u; e < (n + 3u) / 4u; e++) { \
        vec4 a[TR]; \
        vec4 c[TC]; \
        [[unroll]] for (uint i = 0u; i < TR; i++) a[i] = RS[(ty + 16u * i) * (SD / 4u) + e]; \
        [[unroll]] for (uint j = 0u; j < TC; j++) c[j] = Cs[(tx + 16u * j) * (SD / 4u) + e]; \
        [[unroll]] for (uint i = 0u; i < TR; i++) [[unroll]] for (uint j = 0u; j < TC; j++) \
            acc[i][j] = fma(a[i].w, c[j].w, fma(a[i].z, c[j].z, fma(a[i].y, c[j].y, fma(a[i].x, c[j].x, acc[i][j])))); \
    } \
}
DOT(dotRa, Ra)
#if ROW_OPERANDS == 2
DOT(dotRb, Rb)
#endif

// the weight (or its gradient) of own row ty + 16 i and column c, as the kernel stored it
void putP(uint i, uint c, float p) {
    Ps[(ty + 16u * i) * (SP / 4u) + c / 4u][c % 4u] = p;
}

// out[i][g] += sum_{c < n} Ps[ty + 16 i][c] Cs[c][4 tx + 64 g ..]: the weights (or their gradients) times the staged
// chunk, c in order (past n: zero weights and zero-staged rows)
void accumulate(inout vec4 out_[TR][TG], uint n) {
    for (uint c4 = 0u; c4 < (n + 3u) / 4u; c4++) {
        vec4 p[TR];
        [[unroll]] for (uint i = 0u; i < TR; i++) p[i] = Ps[(ty + 16u * i) * (SP / 4u) + c4];
        [[unroll]] for (uint k = 0u; k < 4u; k++) {
            vec4 x[TG];
            [[unroll]] for (uint g = 0u; g < TG; g++) x[g] = Cs[(c4 * 4u + k) * (SD / 4u) + tx + 16u * g];
            [[unroll]] for (uint i = 0u; i < TR; i++) [[unroll]] for (uint g = 0u; g < TG; g++) out_[i][g] = fma(vec4(p[i][k]), x[g], out_[i][g]);
        }
    }
}

// accumulate for a block crossing the causal diagonal: the pairs the mask leaves out are skipped, not added with weight 0
// (0 times a NaN or infinite operand is NaN, and the reference never reads them). Own row r (row0 + ty + 16 i) and
// column c (col0 + c) pair when c <= r, or with keysOwn (the rows are keys) when r <= c.
void accumulateCausal(inout vec4 out_[TR][TG], uint n, uint row0, uint col0, bool keysOwn) {
    for (uint c = 0u; c < n; c++) {
        vec4 x[TG];
        [[unroll]] for (uint g = 0u; g < TG; g++) x[g] = Cs[c * (SD / 4u) + tx + 16u * g];
        [[unroll]] for (uint i = 0u; i < TR; i++) {
            uint r = row0 + ty + 16u * i;
            float p = Ps[(ty + 16u * i) * (SP / 4u) + c / 4u][c % 4u];
            if (keysOwn ? r <= col0 + c : col0 + c <= r) [[unroll]] for (uint g = 0u; g < TG; g++) out_[i][g] = fma(vec4(p), x[g], out_[i][g]);
        }
    }
}

// the output column of lane k of group g (before the chunk's offset)
uint outColumn(uint g, uint k) {
    return 4u * tx + 64u * g + k;
}

// the workgroup's batch matrix and own block, from the flattened x, y grid; reverse: the last block first (causal query
// blocks: the last ones attend the most keys, so the longest workgroups start first and the tail of the grid is short)
void ownBlock(out uint b, out uint blk, bool reverse) {
    uint gid = groupId();
    b = gid / pc.own;
    blk = reverse ? pc.own - 1u - gid % pc.own : gid % pc.own;
}
