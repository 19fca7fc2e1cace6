#version 450
#include "common.glsl"
// Fused attention forward (STATS 0) or its softmax statistics (STATS 1), AttentionKernels: a workgroup per (batch matrix,
// block of BR queries, D-wide chunk of the output's columns: z) walks the keys in blocks of BC (causal: up to the block's
// last query) with the online softmax: the running row max m and sum l, the output accumulator rescaled by exp(m - m')
// when the max grows; the output is written once, divided by l; STATS 1 writes lse = m + log(l) instead. Scores of keys a
// query may not attend (causal: key > query; the tail past Lk) are left out, not set to -inf, so a NaN score or operand
// makes its row NaN through exp (and the max never hides it: exp(NaN - m) is NaN whatever m is).
// Bindings: out (o [B, Lq, Ev] or lse [B, Lq]), q [B, Lq, E], k [B, Lk, E], v [B, Lk, Ev] (STATS 0).
#define ROW_OPERANDS 1
#include "attention.glsl"
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer Q { float q[]; };
layout(std430, binding = 2) readonly buffer K { float k[]; };
#if !STATS
layout(std430, binding = 3) readonly buffer V { float v[]; };
#endif
// each row's 16 partial maxima or sums, one per invocation of the row (tx order), read back as 4 vec4
shared vec4 red[BR * 4u];
void putRed(uint i, float v) {
    red[(ty + 16u * i) * 4u + tx / 4u][tx % 4u] = v;
}
void main() {
    initIds();
    uint b, blk;
    ownBlock(b, blk, pc.causal != 0u);
    uint Lq = pc.Lq, Lk = pc.Lk, E = pc.E, Ev = pc.Ev;
    uint q0 = blk * BR, v0 = gl_WorkGroupID.z * D;
    uint qBase = b * Lq * E, kBase = b * Lk * E, vBase = b * Lk * Ev;
    uint kEnd = pc.causal != 0u ? min(Lk, q0 + BR) : Lk;
    bool resident = E <= D;
    if (resident) STAGE(Ra, BR, q, qBase, q0, Lq, E, 0u)  // the first barrier below publishes it
    float m[TR], l[TR];
#if !STATS
    vec4 acc[TR][TG];
#endif
    [[unroll]] for (uint i = 0u; i < TR; i++) {
        m[i] = -INF;
        l[i] = 0.0;
#if !STATS
        [[unroll]] for (uint x = 0u; x < TG; x++) acc[i][x] = vec4(0.0);
#endif
    }
    for (uint k0 = 0u; k0 < kEnd; k0 += BC) {
        float s[TR][TC];
        [[unroll]] for (uint i = 0u; i < TR; i++) [[unroll]] for (uint j = 0u; j < TC; j++) s[i][j] = 0.0;
        for (uint e0 = 0u; e0 < E; e0 += D) {
            if (!resident) STAGE(Ra, BR, q, qBase, q0, Lq, E, e0)
            STAGE(Cs, BC, k, kBase, k0, Lk, E, e0)
            barrier();
            dotRa(s, min(D, E - e0));
            barrier();
        }
        // the block's row max over the attended keys: each invocation's columns, then the row's 16 invocations
        bool ok[TR][TC];
        [[unroll]] for (uint i = 0u; i < TR; i++) {
            uint row = q0 + ty + 16u * i;
            float bm = -INF;
            [[unroll]] for (uint j = 0u; j < TC; j++) {
                uint col = k0 + tx + 16u * j;
                ok[i][j] = col < Lk && (pc.causal == 0u || col <= row);
                s[i][j] *= pc.scale;
                if (ok[i][j]) bm = max(bm, s[i][j]);
            }
            putRed(i, bm);
        }
        barrier();
        [[unroll]] for (uint i = 0u; i < TR; i++) {
            float mx = m[i];
            [[unroll]] for (uint t = 0u; t < 4u; t++) {
                vec4 r4 = red[(ty + 16u * i) * 4u + t];
                mx = max(max(max(max(mx, r4.x), r4.y), r4.z), r4.w);
            }
            // exp(-inf - -inf) is NaN: a row with no finite max yet keeps its (zero) sums
            float alpha = mx == m[i] ? 1.0 : exp(m[i] - mx);
            m[i] = mx;
            l[i] *= alpha;
#if !STATS
            [[unroll]] for (uint x = 0u; x < TG; x++) acc[i][x] *= alpha;
#endif
            [[unroll]] for (uint j = 0u; j < TC; j++) {
                float p = ok[i][j] ? exp(s[i][j] - mx) : 0.0;
                l[i] += p;
#if !STATS
                putP(i, tx + 16u * j, p);
#endif
            }
        }
#if !STATS
        STAGE(Cs, BC, v, vBase, k0, Lk, Ev, v0)
        barrier();
        if (pc.causal != 0u && k0 + BC > q0 + 1u) accumulateCausal(acc, min(BC, kEnd - k0), q0, k0, false);
        else accumulate(acc, min(BC, kEnd - k0));
        barrier();
#endif
    }
    // each row's sum over its 16 invocations, in a fixed order
    barrier();
    [[unroll]] for (uint i = 0u; i < TR; i++) putRed(i, l[i]);
    barrier();
    [[unroll]] for (uint i = 0u; i < TR; i++) {
        float total = 0.0;
        [[unroll]] for (uint t = 0u; t < 4u; t++) {
            vec4 r4 = red[(ty + 16u * i) * 4u + t];
            total = (((total + r4.x) + r4.y) + r4.z) + r4.w;
        }
        uint row = q0 + ty + 16u * i;
        if (row >= Lq) continue;
#if STATS
        if (tx == 0u) o[b * Lq + row] = m[i] == INF ? INF : m[i] + log(total);
#else
        [[unroll]] for (uint x = 0u; x < TG; x++) [[unroll]] for (uint c = 0u; c < 4u; c++) {
            uint col = v0 + outColumn(x, c);
            if (col < Ev) o[(b * Lq + row) * Ev + col] = kEnd == 0u ? 0.0 : acc[i][x][c] / total;  // no key: 0, as the reference
        }
#endif
    }
}
