#version 450
#include "common.glsl"
// The query gradient of fused attention (AttentionKernels): a workgroup per (batch matrix, block of BR queries, D-wide
// chunk of dq's columns: z) walks the keys in blocks of BC (causal: up to the block's last query), recomputing
// dp = g v^T and s = scale q k^T, then ds = exp(s - lse) (dp - delta) into shared memory and dq += ds k; dq = scale dq
// written once. delta = rowsum(g o) comes from attention_delta.comp (the plan's workspace). No atomics: deterministic.
// Q and G stay resident when their lengths fit one chunk; K is staged last, so that with E <= D the chunk dq needs is
// already in shared memory.
// Bindings: dq [B, Lq, E], q [B, Lq, E], k [B, Lk, E], v [B, Lk, Ev], g [B, Lq, Ev], lse [B, Lq], delta [B, Lq].
#define ROW_OPERANDS 2
#include "attention.glsl"
layout(std430, binding = 0) writeonly buffer O { float dq[]; };
layout(std430, binding = 1) readonly buffer Q { float q[]; };
layout(std430, binding = 2) readonly buffer K { float k[]; };
layout(std430, binding = 3) readonly buffer V { float v[]; };
layout(std430, binding = 4) readonly buffer G { float g[]; };
layout(std430, binding = 5) readonly buffer L { float lse[]; };
layout(std430, binding = 6) readonly buffer T { float delta[]; };
void main() {
    initIds();
    uint b, blk;
    ownBlock(b, blk, pc.causal != 0u);
    uint Lq = pc.Lq, Lk = pc.Lk, E = pc.E, Ev = pc.Ev;
    uint q0 = blk * BR, c0 = gl_WorkGroupID.z * D;
    uint qBase = b * Lq * E, kBase = b * Lk * E, vBase = b * Lk * Ev, gBase = b * Lq * Ev;
    uint kEnd = pc.causal != 0u ? min(Lk, q0 + BR) : Lk;
    bool resQ = E <= D, resG = Ev <= D;
    if (resQ) STAGE(Ra, BR, q, qBase, q0, Lq, E, 0u)
    if (resG) STAGE(Rb, BR, g, gBase, q0, Lq, Ev, 0u)
    float rowLse[TR], rowDelta[TR];
    vec4 acc[TR][TG];
    [[unroll]] for (uint i = 0u; i < TR; i++) {
        uint row = q0 + ty + 16u * i;
        rowLse[i] = row < Lq ? lse[b * Lq + row] : 0.0;
        rowDelta[i] = row < Lq ? delta[b * Lq + row] : 0.0;
        [[unroll]] for (uint x = 0u; x < TG; x++) acc[i][x] = vec4(0.0);
    }
    for (uint k0 = 0u; k0 < kEnd; k0 += BC) {
        float dp[TR][TC], s[TR][TC];
        [[unroll]] for (uint i = 0u; i < TR; i++) [[unroll]] for (uint j = 0u; j < TC; j++) {
            dp[i][j] = 0.0;
            s[i][j] = 0.0;
        }
        for (uint e0 = 0u; e0 < Ev; e0 += D) {
            if (!resG) STAGE(Rb, BR, g, gBase, q0, Lq, Ev, e0)
            STAGE(Cs, BC, v, vBase, k0, Lk, Ev, e0)
            barrier();
            dotRb(dp, min(D, Ev - e0));
            barrier();
        }
        for (uint e0 = 0u; e0 < E; e0 += D) {
            if (!resQ) STAGE(Ra, BR, q, qBase, q0, Lq, E, e0)
            STAGE(Cs, BC, k, kBase, k0, Lk, E, e0)
            barrier();
            dotRa(s, min(D, E - e0));
            barrier();
        }
        [[unroll]] for (uint i = 0u; i < TR; i++) {
            uint row = q0 + ty + 16u * i;
            [[unroll]] for (uint j = 0u; j < TC; j++) {
                uint col = k0 + tx + 16u * j;
                bool ok = col < Lk && (pc.causal == 0u || col <= row);
                putP(i, tx + 16u * j, ok ? exp(pc.scale * s[i][j] - rowLse[i]) * (dp[i][j] - rowDelta[i]) : 0.0);
            }
        }
        // with E <= D the one chunk of k staged above is the chunk dq needs
        if (!resQ) STAGE(Cs, BC, k, kBase, k0, Lk, E, c0)
        barrier();
        if (pc.causal != 0u && k0 + BC > q0 + 1u) accumulateCausal(acc, min(BC, kEnd - k0), q0, k0, false);
        else accumulate(acc, min(BC, kEnd - k0));
        barrier();
    }
    [[unroll]] for (uint i = 0u; i < TR; i++) {
        uint row = q0 + ty + 16u * i;
        if (row >= Lq) continue;
        [[unroll]] for (uint x = 0u; x < TG; x++) [[unroll]] for (uint c = 0u; c < 4u; c++) {
            uint col = c0 + outColumn(x, c);
            if (col < E) dq[(b * Lq + row) * E + col] = pc.scale * acc[i][x][c];
        }
    }
}
