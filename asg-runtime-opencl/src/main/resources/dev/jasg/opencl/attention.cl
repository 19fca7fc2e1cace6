// Fused scaled dot-product attention (Op.Attention, Op.AttentionStats, Op.AttentionGrad) over B = rows / Lq
// matrices q [Lq, E], k [Lk, E], v [Lk, Ev]; query i attends keys [0, keys(i)), all of them or, causal, j <= i
// (top-left aligned). One work-item per query row (forward, statistics, dq) or per key row (dk, dv): no
// [Lq, Lk] buffer, the scores are recomputed where needed. A work-item owns its output row and accumulates
// in it directly, so no private array sized by E or Ev is needed.
//
// The forward and the statistics walk the keys once with the online softmax (a running maximum m and sum l
// of exp(s - m), rescaled when m grows). The special cases follow the reference interpreter: a NaN score
// makes the row NaN, a +inf maximum gives lse = +inf and a NaN output (exp(inf - inf)), a row whose scores
// are all -inf gives NaN; a single -inf score among finite ones has weight 0.

typedef struct { int rows; int lq; int lk; int e; int ev; int causal; float scale; int wrt; int mode; } AttnArgs;

inline int attended(const AttnArgs* a, int i) {
    return a->causal ? min(a->lk, i + 1) : a->lk;
}

inline float dotRows(__global const float* x, __global const float* y, int n) {
    float acc = 0.0f;
    for (int c = 0; c < n; c++) acc += x[c] * y[c];
    return acc;
}

// the next running maximum: NaN is sticky, as in the reference
inline float nextMax(float m, float s) {
    return isNaN(m) || isNaN(s) ? NAN : fmax(m, s);
}

// exp(x - m) with exp(-inf - -inf) = 0 rather than NaN (nothing seen yet, or a -inf score under a -inf maximum)
inline float expBelow(float x, float m) {
    return x == -INFINITY ? 0.0f : exp(x - m);
}

// lse from the final running maximum and sum: NaN for a NaN or all -inf row, +inf for a +inf maximum
inline float rowLse(float m, float l) {
    if (isNaN(m) || m == -INFINITY) return NAN;
    if (m == INFINITY) return INFINITY;
    return m + log(l);
}

// o[b, i, :] = sum_j softmax_j(scale q[i].k[j]) v[j, :]
__kernel void attention_forward(__global float* o, const ulong oOff, __global const float* q, const ulong qOff,
        __global const float* k, const ulong kOff, __global const float* v, const ulong vOff, const AttnArgs a) {
    o += oOff; q += qOff; k += kOff; v += vOff;
    int row = get_global_id(0);
    if (row >= a.rows) return;
    int b = row / a.lq, i = row - b * a.lq, n = attended(&a, i);
    __global const float* qi = q + (long) row * a.e;
    __global const float* kb = k + (long) b * a.lk * a.e;
    __global const float* vb = v + (long) b * a.lk * a.ev;
    __global float* oi = o + (long) row * a.ev;
    for (int c = 0; c < a.ev; c++) oi[c] = 0.0f;
    float m = -INFINITY, l = 0.0f;
    for (int j = 0; j < n; j++) {
        float s = a.scale * dotRows(qi, kb + (long) j * a.e, a.e);
        float mNew = nextMax(m, s);
        float alpha = expBelow(m, mNew), p = expBelow(s, mNew);
        l = l * alpha + p;
        __global const float* vj = vb + (long) j * a.ev;
        for (int c = 0; c < a.ev; c++) oi[c] = oi[c] * alpha + p * vj[c];
        m = mNew;
    }
    bool finite = !isNaN(m) && m != INFINITY && m != -INFINITY;
    for (int c = 0; c < a.ev; c++) oi[c] = rnd(finite ? oi[c] / l : NAN, a.mode);
}

// lse[b, i] = log sum_j exp(scale q[i].k[j])
__kernel void attention_stats(__global float* lse, const ulong lseOff, __global const float* q, const ulong qOff,
        __global const float* k, const ulong kOff, const AttnArgs a) {
    lse += lseOff; q += qOff; k += kOff;
    int row = get_global_id(0);
    if (row >= a.rows) return;
    int b = row / a.lq, i = row - b * a.lq, n = attended(&a, i);
    __global const float* qi = q + (long) row * a.e;
    __global const float* kb = k + (long) b * a.lk * a.e;
    float m = -INFINITY, l = 0.0f;
    for (int j = 0; j < n; j++) {
        float s = a.scale * dotRows(qi, kb + (long) j * a.e, a.e);
        float mNew = nextMax(m, s);
        l = l * expBelow(m, mNew) + expBelow(s, mNew);
        m = mNew;
    }
    lse[row] = rnd(rowLse(m, l), a.mode);
}

// dq[b, i, :] = scale sum_j p[i,j] (g[i].v[j] - g[i].o[i]) k[j, :], p[i,j] = exp(scale q[i].k[j] - lse[i])
__kernel void attention_grad_q(__global float* dq, const ulong dqOff, __global const float* q, const ulong qOff,
        __global const float* k, const ulong kOff, __global const float* v, const ulong vOff, __global const float* o, const ulong oOff,
        __global const float* g, const ulong gOff, __global const float* lse, const ulong lseOff, const AttnArgs a) {
    dq += dqOff; q += qOff; k += kOff; v += vOff; o += oOff; g += gOff; lse += lseOff;
    int row = get_global_id(0);
    if (row >= a.rows) return;
    int b = row / a.lq, i = row - b * a.lq, n = attended(&a, i);
    __global const float* qi = q + (long) row * a.e;
    __global const float* gi = g + (long) row * a.ev;
    __global const float* kb = k + (long) b * a.lk * a.e;
    __global const float* vb = v + (long) b * a.lk * a.ev;
    __global float* dqi = dq + (long) row * a.e;
    float delta = dotRows(gi, o + (long) row * a.ev, a.ev), li = lse[row];
    for (int c = 0; c < a.e; c++) dqi[c] = 0.0f;
    for (int j = 0; j < n; j++) {
        __global const float* kj = kb + (long) j * a.e;
        float p = exp(a.scale * dotRows(qi, kj, a.e) - li);
        float ds = p * (dotRows(gi, vb + (long) j * a.ev, a.ev) - delta) * a.scale;
        for (int c = 0; c < a.e; c++) dqi[c] += ds * kj[c];
    }
    for (int c = 0; c < a.e; c++) dqi[c] = rnd(dqi[c], a.mode);
}

// One work-item per key row j, over the queries that attend it (causal: i >= j). wrt 1:
// dk[b, j, :] = scale sum_i p[i,j] (g[i].v[j] - g[i].o[i]) q[i, :]; wrt 2: dv[b, j, :] = sum_i p[i,j] g[i, :].
__kernel void attention_grad_kv(__global float* d, const ulong dOff, __global const float* q, const ulong qOff,
        __global const float* k, const ulong kOff, __global const float* v, const ulong vOff, __global const float* o, const ulong oOff,
        __global const float* g, const ulong gOff, __global const float* lse, const ulong lseOff, const AttnArgs a) {
    d += dOff; q += qOff; k += kOff; v += vOff; o += oOff; g += gOff; lse += lseOff;
    int key = get_global_id(0);
    if (key >= a.rows) return;
    int b = key / a.lk, j = key - b * a.lk;
    int width = a.wrt == 1 ? a.e : a.ev;
    __global const float* kj = k + (long) key * a.e;
    __global const float* vj = v + (long) key * a.ev;
    __global float* dj = d + (long) key * width;
    for (int c = 0; c < width; c++) dj[c] = 0.0f;
    for (int i = a.causal ? j : 0; i < a.lq; i++) {
        long row = (long) b * a.lq + i;
        __global const float* qi = q + row * a.e;
        __global const float* gi = g + row * a.ev;
        float p = exp(a.scale * dotRows(qi, kj, a.e) - lse[row]);
        if (a.wrt == 2) {
            for (int c = 0; c < a.ev; c++) dj[c] += p * gi[c];
        } else {
            float ds = p * (dotRows(gi, vj, a.ev) - dotRows(gi, o + row * a.ev, a.ev)) * a.scale;
            for (int c = 0; c < a.e; c++) dj[c] += ds * qi[c];
        }
    }
    for (int c = 0; c < width; c++) dj[c] = rnd(dj[c], a.mode);
}
