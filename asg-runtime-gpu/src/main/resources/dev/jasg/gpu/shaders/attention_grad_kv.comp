#version 450
#include "common.glsl"
// The key (WRT 1) or value (WRT 2) gradient of fused attention (AttentionKernels): a workgroup per (batch matrix, block of
// BR keys, D-wide chunk of the result's columns: z) walks the queries in blocks of BC (causal: from the block holding its
// first key), recomputing the transposed weights p = exp(scale k q^T - lse) and, for dk, dp = v g^T and
// ds = p (dp - delta) (delta = rowsum(g o) from attention_delta.comp, the plan's workspace), into shared memory:
// dv += p g, dk += ds q; dk = scale dk. Written once; no atomics: deterministic. K (and V for dk) stay resident when
// their lengths fit one chunk; Q is staged last, so that with E <= D the chunk dk needs is already in shared memory.
// Bindings: WRT 1: dk [B, Lk, E], q, k, v, g, lse, delta; WRT 2: dv [B, Lk, Ev], q, k, g, lse.
#if WRT == 1
#define ROW_OPERANDS 2
#else
#define ROW_OPERANDS 1
#endif
#include "attention.glsl"
layout(std430, binding = 0) writeonly buffer O { float d[]; };
layout(std430, binding = 1) readonly buffer Q { float q[]; };
layout(std430, binding = 2) readonly buffer K { float k[]; };
#if WRT == 1
layout(std430, binding = 3) readonly buffer V { float v[]; };
layout(std430, binding = 4) readonly buffer G { float g[]; };
layout(std430, binding = 5) readonly buffer L { float lse[]; };
layout(std430, binding = 6) readonly buffer T { float delta[]; };
#else
layout(std430, binding = 3) readonly buffer G { float g[]; };
layout(std430, binding = 4) readonly buffer L { float lse[]; };
#endif
void main() {
    initIds();
    uint b, blk;
    ownBlock(b, blk, false);  // causal: the first key blocks meet the most queries
    uint Lq = pc.Lq, Lk = pc.Lk, E = pc.E, Ev = pc.Ev;
    uint k0 = blk * BR, c0 = gl_WorkGroupID.z * D;
    uint qBase = b * Lq * E, kBase = b * Lk * E, vBase = b * Lk * Ev, gBase = b * Lq * Ev;
#if WRT == 1
    uint width = E;
#else
    uint width = Ev;
#endif
    bool resK = E <= D;
    if (resK) STAGE(Ra, BR, k, kBase, k0, Lk, E, 0u)
#if WRT == 1
    bool resV = Ev <= D;
    if (resV) STAGE(Rb, BR, v, vBase, k0, Lk, Ev, 0u)
#endif
    vec4 acc[TR][TG];
    [[unroll]] for (uint i = 0u; i < TR; i++) [[unroll]] for (uint x = 0u; x < TG; x++) acc[i][x] = vec4(0.0);
    // causal: the queries before the block's first key attend none of its keys
    uint start = pc.causal != 0u ? k0 / BC * BC : 0u;
    for (uint i0 = start; i0 < Lq; i0 += BC) {
        float s[TR][TC], colLse[TC];
#if WRT == 1
        float dp[TR][TC], colDelta[TC];
#endif
        [[unroll]] for (uint j = 0u; j < TC; j++) {
            uint col = i0 + tx + 16u * j;
            colLse[j] = col < Lq ? lse[b * Lq + col] : 0.0;
#if WRT == 1
            colDelta[j] = col < Lq ? delta[b * Lq + col] : 0.0;
#endif
            [[unroll]] for (uint i = 0u; i < TR; i++) {
                s[i][j] = 0.0;
#if WRT == 1
                dp[i][j] = 0.0;
#endif
            }
        }
#if WRT == 1
        for (uint e0 = 0u; e0 < Ev; e0 += D) {
            if (!resV) STAGE(Rb, BR, v, vBase, k0, Lk, Ev, e0)
            STAGE(Cs, BC, g, gBase, i0, Lq, Ev, e0)
            barrier();
            dotRb(dp, min(D, Ev - e0));
            barrier();
        }
#endif
        for (uint e0 = 0u; e0 < E; e0 += D) {
            if (!resK) STAGE(Ra, BR, k, kBase, k0, Lk, E, e0)
            STAGE(Cs, BC, q, qBase, i0, Lq, E, e0)
            barrier();
            dotRa(s, min(D, E - e0));
            barrier();
        }
        [[unroll]] for (uint i = 0u; i < TR; i++) {
            uint key = k0 + ty + 16u * i;
            [[unroll]] for (uint j = 0u; j < TC; j++) {
                uint col = i0 + tx + 16u * j;
                bool ok = col < Lq && key < Lk && (pc.causal == 0u || key <= col);
                float p = ok ? exp(pc.scale * s[i][j] - colLse[j]) : 0.0;
#if WRT == 1
                p = ok ? p * (dp[i][j] - colDelta[j]) : 0.0;
#endif
                putP(i, tx + 16u * j, p);
            }
        }
#if WRT == 1
        // with E <= D the one chunk of q staged above is the chunk dk needs
        if (!resK) STAGE(Cs, BC, q, qBase, i0, Lq, E, c0)
#else
        STAGE(Cs, BC, g, gBase, i0, Lq, Ev, c0)
#endif
        barrier();
        if (pc.causal != 0u && k0 + BR > i0 + 1u) accumulateCausal(acc, min(BC, Lq - i0), k0, i0, true);
        else accumulate(acc, min(BC, Lq - i0));
        barrier();
    }
    [[unroll]] for (uint i = 0u; i < TR; i++) {
        uint key = k0 + ty + 16u * i;
        if (key >= Lk) continue;
        [[unroll]] for (uint x = 0u; x < TG; x++) [[unroll]] for (uint c = 0u; c < 4u; c++) {
            uint col = c0 + outColumn(x, c);
#if WRT == 1
            if (col < width) d[(b * Lk + key) * width + col] = pc.scale * acc[i][x][c];
#else
            if (col < width) d[(b * Lk + key) * width + col] = acc[i][x][c];
#endif
        }
    }
}
