#version 450
// Fused attention on workgroup-scope tensor-core matrices (WorkgroupAttentionKernels, VK_NV_cooperative_matrix2) for f16
// or bf16 operands: every [BR, BC] block of scores is a product of 16-bit tiles with f32 accumulation, turned into
// weights (or their gradients) by per-element operations and row reductions on the accumulator, converted to 16-bit and
// multiplied into the f32 result; the [Lq, Lk] scores are never stored. A workgroup owns BR rows of one batch matrix
// (queries: KIND 0 the statistics lse, 1 the output, 2 the query gradient; keys: 3 the key gradient, 4 the value
// gradient) and walks the other axis BC at a time; with causal it skips blocks no row of it attends. The forward takes
// two passes over the keys (the row statistics, then the weights exp(s - lse) times v), so nothing is rescaled.
// Operands arrive packed to 16-bit storage (pack_half.comp, rounded to nearest even; the gradient g is f32), lse and
// delta = rowsum(g o) as f32; outputs are f32. Tensor layouts clamp: rows past L load zeros and their stores are
// dropped; columns past the attended keys are masked to -inf before the exponential.
// Defines: KIND, BF16, BR, BC (multiples of the device's granularities), E, EV (head dimensions, multiples of 32),
// THREADS (the invocations the device lists for workgroup-scope matrices). Bindings: 0 out, 1 q, 2 k, 3 v, 4 g (16-bit),
// 5 lse, 6 delta (f32; unused ones are bound to any buffer). Push: batch, Lq, Lk, causal, scale (float bits).
// Grid: x own blocks, y batch matrices.
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
layout(push_constant) uniform P { uint batch; uint Lq; uint Lk; uint causal; float scale; } pc;
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer Q { ELEM q[]; };
layout(std430, binding = 2) readonly buffer K { ELEM k[]; };
layout(std430, binding = 3) readonly buffer V { ELEM v[]; };
layout(std430, binding = 4) readonly buffer G { ELEM g[]; };
layout(std430, binding = 5) readonly buffer L { float lse[]; };
layout(std430, binding = 6) readonly buffer D { float delta[]; };

#define ACC(R, C) coopmat<float, gl_ScopeWorkgroup, R, C, gl_MatrixUseAccumulator>
#define MA(R, C) coopmat<ELEM, gl_ScopeWorkgroup, R, C, gl_MatrixUseA>
#define MB(R, C) coopmat<ELEM, gl_ScopeWorkgroup, R, C, gl_MatrixUseB>
#define ROWS gl_CooperativeMatrixReduceRowNV
#define CLAMP gl_CooperativeMatrixClampModeConstantNV
#define EDGE gl_CooperativeMatrixClampModeClampToEdgeNV
#define QUERIES_OWN (KIND <= 2)

float negInf() {
    return uintBitsToFloat(0xFF800000u);
}

// the scaled score at (row, col) of the block at (r0, c0), -inf where its query may not attend its key (a key past Lk, a
// query past Lq, a causal future key); rows are queries for QUERIES_OWN, keys otherwise
float score(const in uint32_t row, const in uint32_t col, const in float s, const in uint r0, const in uint c0) {
#if QUERIES_OWN
    uint i = r0 + row, j = c0 + col;
#else
    uint j = r0 + row, i = c0 + col;
#endif
    if (j >= pc.Lk || i >= pc.Lq || (pc.causal != 0u && j > i)) return negInf();
    return s * pc.scale;
}
float maxOf(const in float a, const in float b) { return max(a, b); }
float sumOf(const in float a, const in float b) { return a + b; }
float maxElem(const in uint32_t r, const in uint32_t c, const in float a, const in float b) { return max(a, b); }
float expDiff(const in uint32_t r, const in uint32_t c, const in float s, const in float m) { return exp(s - m); }
// l exp(m - mn) + ps: the running sum of exponentials moved to the new maximum mn
float rescaleAdd(const in uint32_t r, const in uint32_t c, const in float l, const in float m, const in float mn, const in float ps) {
    return l * exp(m - mn) + ps;
}
float addLog(const in uint32_t r, const in uint32_t c, const in float m, const in float l) { return m + log(l); }
// the score gradient p (dp - delta)
float scoreGrad(const in uint32_t r, const in uint32_t c, const in float p, const in float dp, const in float d) { return p * (dp - d); }
float scaled(const in uint32_t r, const in uint32_t c, const in float x) { return x * pc.scale; }

void main() {
    uint b = gl_WorkGroupID.y, r0 = gl_WorkGroupID.x * BR;
    uint Lq = pc.Lq, Lk = pc.Lk;
    // 2-D layouts of one batch matrix (element offsets: every matrix starts 16-byte aligned, E and EV being multiples of 32)
    tensorLayoutNV<2, CLAMP> lq = setTensorLayoutDimensionNV(createTensorLayoutNV(2, CLAMP), Lq, E);
    tensorLayoutNV<2, CLAMP> lk = setTensorLayoutDimensionNV(createTensorLayoutNV(2, CLAMP), Lk, E);
    tensorLayoutNV<2, CLAMP> lv = setTensorLayoutDimensionNV(createTensorLayoutNV(2, CLAMP), Lk, EV);
    tensorLayoutNV<2, CLAMP> lg = setTensorLayoutDimensionNV(createTensorLayoutNV(2, CLAMP), Lq, EV);
    uint qOff = b * Lq * E, kOff = b * Lk * E, vOff = b * Lk * EV, gOff = b * Lq * EV;
    tensorViewNV<2, false, 1, 0> transposed = createTensorViewNV(2, false, 1, 0);

#if QUERIES_OWN
    uint kEnd = pc.causal != 0u ? min(Lk, r0 + BR) : Lk;
    // per-query vectors (lse, delta) repeated along the columns: clamped to their one column
    tensorLayoutNV<3, EDGE> rowVec = setTensorLayoutDimensionNV(createTensorLayoutNV(3, EDGE), pc.batch, Lq, 1);
    MA(BR, E) qa;
    coopMatLoadTensorNV(qa, q, qOff, sliceTensorLayoutNV(lq, r0, BR, 0, E));
#if KIND <= 1
    ACC(BR, BC) m = ACC(BR, BC)(negInf()), l = ACC(BR, BC)(0.0);
    for (uint c0 = 0u; c0 < kEnd; c0 += BC) {
        MB(E, BC) kt;
        coopMatLoadTensorNV(kt, k, kOff, sliceTensorLayoutNV(lk, c0, BC, 0, E), transposed);
        ACC(BR, BC) s = coopMatMulAdd(qa, kt, ACC(BR, BC)(0.0));
        coopMatPerElementNV(s, s, score, r0, c0);
        ACC(BR, BC) mx, mn, p, ps;
        coopMatReduceNV(mx, s, ROWS, maxOf);
        coopMatPerElementNV(mn, m, maxElem, mx);
        coopMatPerElementNV(p, s, expDiff, mn);
        coopMatReduceNV(ps, p, ROWS, sumOf);
        coopMatPerElementNV(l, l, rescaleAdd, m, mn, ps);
        m = mn;
    }
    ACC(BR, BC) rowLse;
    coopMatPerElementNV(rowLse, m, addLog, l);
#if KIND == 0
    // column 0 of the block into lse[b, r0 ..]: the other columns fall outside the [batch, Lq, 1] layout and are dropped
    tensorLayoutNV<3, CLAMP> lseOut = setTensorLayoutDimensionNV(createTensorLayoutNV(3, CLAMP), pc.batch, Lq, 1);
    coopMatStoreTensorNV(rowLse, o, 0, sliceTensorLayoutNV(lseOut, b, 1, r0, BR, 0, BC));
#else
    ACC(BR, EV) acc = ACC(BR, EV)(0.0);
    for (uint c0 = 0u; c0 < kEnd; c0 += BC) {
        MB(E, BC) kt;
        coopMatLoadTensorNV(kt, k, kOff, sliceTensorLayoutNV(lk, c0, BC, 0, E), transposed);
        ACC(BR, BC) s = coopMatMulAdd(qa, kt, ACC(BR, BC)(0.0));
        coopMatPerElementNV(s, s, score, r0, c0);
        coopMatPerElementNV(s, s, expDiff, rowLse);
        MB(BC, EV) vb;
        coopMatLoadTensorNV(vb, v, vOff, sliceTensorLayoutNV(lv, c0, BC, 0, EV));
        acc = coopMatMulAdd(MA(BR, BC)(s), vb, acc);
    }
    tensorLayoutNV<2, CLAMP> lo = setTensorLayoutDimensionNV(createTensorLayoutNV(2, CLAMP), Lq, EV);
    coopMatStoreTensorNV(acc, o, b * Lq * EV, sliceTensorLayoutNV(lo, r0, BR, 0, EV));
#endif
#else
    // KIND 2: dq = scale sum_keys p (dp - delta) k, dp = g v^T
    ACC(BR, BC) lseRep, deltaRep;
    coopMatLoadTensorNV(lseRep, lse, 0, sliceTensorLayoutNV(rowVec, b, 1, r0, BR, 0, BC));
    coopMatLoadTensorNV(deltaRep, delta, 0, sliceTensorLayoutNV(rowVec, b, 1, r0, BR, 0, BC));
    MA(BR, EV) ga;
    coopMatLoadTensorNV(ga, g, gOff, sliceTensorLayoutNV(lg, r0, BR, 0, EV));
    ACC(BR, E) acc = ACC(BR, E)(0.0);
    for (uint c0 = 0u; c0 < kEnd; c0 += BC) {
        MB(E, BC) kt;
        coopMatLoadTensorNV(kt, k, kOff, sliceTensorLayoutNV(lk, c0, BC, 0, E), transposed);
        ACC(BR, BC) s = coopMatMulAdd(qa, kt, ACC(BR, BC)(0.0));
        coopMatPerElementNV(s, s, score, r0, c0);
        coopMatPerElementNV(s, s, expDiff, lseRep);
        MB(EV, BC) vt;
        coopMatLoadTensorNV(vt, v, vOff, sliceTensorLayoutNV(lv, c0, BC, 0, EV), transposed);
        ACC(BR, BC) dp = coopMatMulAdd(ga, vt, ACC(BR, BC)(0.0));
        coopMatPerElementNV(s, s, scoreGrad, dp, deltaRep);
        MB(BC, E) kb;
        coopMatLoadTensorNV(kb, k, kOff, sliceTensorLayoutNV(lk, c0, BC, 0, E));
        acc = coopMatMulAdd(MA(BR, BC)(s), kb, acc);
    }
    coopMatPerElementNV(acc, acc, scaled);
    tensorLayoutNV<2, CLAMP> lo = setTensorLayoutDimensionNV(createTensorLayoutNV(2, CLAMP), Lq, E);
    coopMatStoreTensorNV(acc, o, b * Lq * E, sliceTensorLayoutNV(lo, r0, BR, 0, E));
#endif
#else
    // keys own (KIND 3: dk = scale sum_queries ds^T q; KIND 4: dv = sum_queries p^T g); per-query vectors repeated along the rows
    uint qStart = pc.causal != 0u ? (r0 / BC) * BC : 0u;
    tensorLayoutNV<3, EDGE> colVec = setTensorLayoutDimensionNV(createTensorLayoutNV(3, EDGE), pc.batch, 1, Lq);
    MA(BR, E) ka;
    coopMatLoadTensorNV(ka, k, kOff, sliceTensorLayoutNV(lk, r0, BR, 0, E));
#if KIND == 3
    MA(BR, EV) va;
    coopMatLoadTensorNV(va, v, vOff, sliceTensorLayoutNV(lv, r0, BR, 0, EV));
    ACC(BR, E) acc = ACC(BR, E)(0.0);
#else
    ACC(BR, EV) acc = ACC(BR, EV)(0.0);
#endif
    for (uint c0 = qStart; c0 < Lq; c0 += BC) {
        MB(E, BC) qt;
        coopMatLoadTensorNV(qt, q, qOff, sliceTensorLayoutNV(lq, c0, BC, 0, E), transposed);
        ACC(BR, BC) s = coopMatMulAdd(ka, qt, ACC(BR, BC)(0.0));
        coopMatPerElementNV(s, s, score, r0, c0);
        ACC(BR, BC) lseRep;
        coopMatLoadTensorNV(lseRep, lse, 0, sliceTensorLayoutNV(colVec, b, 1, 0, BR, c0, BC));
        coopMatPerElementNV(s, s, expDiff, lseRep);
#if KIND == 3
        MB(EV, BC) gt;
        coopMatLoadTensorNV(gt, g, gOff, sliceTensorLayoutNV(lg, c0, BC, 0, EV), transposed);
        ACC(BR, BC) dp = coopMatMulAdd(va, gt, ACC(BR, BC)(0.0));
        ACC(BR, BC) deltaRep;
        coopMatLoadTensorNV(deltaRep, delta, 0, sliceTensorLayoutNV(colVec, b, 1, 0, BR, c0, BC));
        coopMatPerElementNV(s, s, scoreGrad, dp, deltaRep);
        MB(BC, E) qb;
        coopMatLoadTensorNV(qb, q, qOff, sliceTensorLayoutNV(lq, c0, BC, 0, E));
        acc = coopMatMulAdd(MA(BR, BC)(s), qb, acc);
#else
        MB(BC, EV) gb;
        coopMatLoadTensorNV(gb, g, gOff, sliceTensorLayoutNV(lg, c0, BC, 0, EV));
        acc = coopMatMulAdd(MA(BR, BC)(s), gb, acc);
#endif
    }
#if KIND == 3
    coopMatPerElementNV(acc, acc, scaled);
    tensorLayoutNV<2, CLAMP> lo = setTensorLayoutDimensionNV(createTensorLayoutNV(2, CLAMP), Lk, E);
    coopMatStoreTensorNV(acc, o, b * Lk * E, sliceTensorLayoutNV(lo, r0, BR, 0, E));
#else
    tensorLayoutNV<2, CLAMP> lo = setTensorLayoutDimensionNV(createTensorLayoutNV(2, CLAMP), Lk, EV);
    coopMatStoreTensorNV(acc, o, b * Lk * EV, sliceTensorLayoutNV(lo, r0, BR, 0, EV));
#endif
#endif
}
