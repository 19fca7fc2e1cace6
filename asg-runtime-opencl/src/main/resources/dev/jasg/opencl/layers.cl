// Layer primitives: gather (embedding lookup), scatter-add (its adjoint), the dropout mask, max pooling's
// selection and scatter, and the direct convolutions. Indices arrive as floats holding exact integers, like
// every I32 tensor on this backend. A kernel cannot raise an error, so out-of-range indices never read or
// write outside a buffer instead: gather writes 0 for them and scatter-add drops them (the host backends throw).

typedef struct { int count; int d; int v; int mode; } GatherArgs;

// o[n*D + j] = table[idx[n]*D + j], 0 when idx[n] is outside [0, V)
__kernel void gather(__global float* o, const ulong oOff, __global const float* table, const ulong tableOff,
        __global const float* idx, const ulong idxOff, const GatherArgs p) {
    o += oOff; table += tableOff; idx += idxOff;
    int i = get_global_id(0);
    if (i >= p.count) return;
    int n = i / p.d, j = i - n * p.d;
    float k = idx[n];
    o[i] = k >= 0.0f && k < (float) p.v ? rnd(table[(int) k * p.d + j], p.mode) : 0.0f;
}

// Deterministic scatter-add without atomics: output element (s, j) walks all N indices in order and sums
// upd[n*D + j] where idx[n] == s, so repeated indices always add in the same order. Costs size*D*N index reads:
// cheap for moderate vocabularies, the first thing to replace (by sorting the indices) for large ones.
// Here v is the number of indices N.
__kernel void scatter_add(__global float* o, const ulong oOff, __global const float* upd, const ulong updOff,
        __global const float* idx, const ulong idxOff, const GatherArgs p) {
    o += oOff; upd += updOff; idx += idxOff;
    int i = get_global_id(0);
    if (i >= p.count) return;
    int s = i / p.d, j = i - s * p.d;
    float row = (float) s;
    float acc = 0.0f;
    for (int k = 0; k < p.v; k++) {
        if (idx[k] == row) acc += upd[k * p.d + j];
    }
    o[i] = rnd(acc, p.mode);
}

typedef struct { int count; uint saltMix; uint threshold; float scale; } DropoutArgs;

// murmur3's 32-bit finaliser; uint arithmetic wraps as Java's int does and >> on uint is Java's >>>
inline uint fmix32(uint h) {
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

// o[i] = bits24(key, i) >= threshold ? scale : 0, bit-identical to Op.DropoutMask on the host
__kernel void dropout_mask(__global float* o, const ulong oOff, __global const float* seed, const ulong seedOff, const DropoutArgs p) {
    o += oOff; seed += seedOff;
    int i = get_global_id(0);
    if (i >= p.count) return;
    uint key = fmix32((uint) ((int) seed[0]) * 0x9E3779B9u + p.saltMix);
    uint bits = fmix32(fmix32((uint) i * 0x9E3779B9u + key) + key) >> 8;
    o[i] = bits >= p.threshold ? p.scale : 0.0f;
}

// Max pooling over planes of H x W pooled to Ho x Wo. The windows come as host-computed tables in t (ints):
// per output row its first tap and number of taps, the same per output column, and per input row and column the
// range of windows whose extent covers it. Offsets of the tables in t are arguments.
typedef struct { int count; int mode; int H; int W; int Ho; int Wo; int stepR; int stepC;
                 int rowStart; int rowTaps; int colStart; int colTaps; int rowLo; int rowHi; int colLo; int colHi; } PoolArgs;

// Plane offset of the arg-max of window (p, q): the first tap inside the input, replaced by any larger or NaN tap
// (so the last NaN wins, as in PyTorch and the reference); -1 when no tap lies inside.
inline int windowArgmax(__global const float* x, __global const int* t, const PoolArgs* a, int base, int p, int q) {
    int r0 = t[a->rowStart + p], nr = t[a->rowTaps + p], c0 = t[a->colStart + q], nc = t[a->colTaps + q];
    int best = -1;
    float bv = -INFINITY;
    for (int i = 0; i < nr; i++) {
        int r = r0 + i * a->stepR;
        if (r < 0 || r >= a->H) continue;
        for (int j = 0; j < nc; j++) {
            int c = c0 + j * a->stepC;
            if (c < 0 || c >= a->W) continue;
            float v = x[base + r * a->W + c];
            if (best < 0) best = r * a->W + c;
            if (v > bv || isNaN(v)) { bv = v; best = r * a->W + c; }
        }
    }
    return best;
}

// y[plane, p, q] = u[plane, argmax of x over window (p, q)], one work-item per output
__kernel void max_pool_select(__global float* y, const ulong yOff, __global const float* x, const ulong xOff,
        __global const float* u, const ulong uOff, __global const int* t, const ulong tOff, const PoolArgs a) {
    y += yOff; x += xOff; u += uOff; t += tOff;
    int e = get_global_id(0);
    if (e >= a.count) return;
    int q = e % a.Wo, s = e / a.Wo, p = s % a.Ho, plane = s / a.Ho;
    int base = plane * a.H * a.W;
    int k = windowArgmax(x, t, &a, base, p, q);
    y[e] = rnd(k < 0 ? -INFINITY : u[base + k], a.mode);
}

// Whether r is a tap of the window starting at start with taps taps step apart.
inline bool isTap(int r, int start, int taps, int step) {
    int d = r - start;
    return d >= 0 && d % step == 0 && d / step < taps;
}

// y[plane, r, c] = sum of g[plane, p, q] over the windows (p, q) whose arg-max is (r, c): the gather form of the
// adjoint, one work-item per input element, deterministic.
__kernel void max_pool_scatter(__global float* y, const ulong yOff, __global const float* x, const ulong xOff,
        __global const float* g, const ulong gOff, __global const int* t, const ulong tOff, const PoolArgs a) {
    y += yOff; x += xOff; g += gOff; t += tOff;
    int e = get_global_id(0);
    if (e >= a.count) return;
    int c = e % a.W, s = e / a.W, r = s % a.H, plane = s / a.H;
    int base = plane * a.H * a.W, gb = plane * a.Ho * a.Wo, self = r * a.W + c;
    float acc = 0.0f;
    for (int p = t[a.rowLo + r]; p <= t[a.rowHi + r]; p++) {
        if (!isTap(r, t[a.rowStart + p], t[a.rowTaps + p], a.stepR)) continue;
        for (int q = t[a.colLo + c]; q <= t[a.colHi + c]; q++) {
            if (isTap(c, t[a.colStart + q], t[a.colTaps + q], a.stepC) && windowArgmax(x, t, &a, base, p, q) == self) acc += g[gb + p * a.Wo + q];
        }
    }
    y[e] = rnd(acc, a.mode);
}

// Convolution geometry. Forward: x [N, C, H, W], w [O, Cg, kh, kw], y [N, O, Ho, Wo], Og = O / groups.
// Transposed: x [N, C, H, W], w [C, Og, kh, kw], y [N, O, Ho, Wo], Cg = C / groups.
// Weight gradient: x [N, C, H, W], g [N, O, Ho, Wo], dw [O, Cg, kh, kw], Og = O / groups.
typedef struct { int count; int mode; int N; int C; int H; int W; int O; int Ho; int Wo; int Cg; int Og; int kh; int kw;
                 int sh; int sw; int pt; int pl; int dh; int dw; } ConvArgs;

// y[n,o,p,q] = sum_{c,i,j} w[o,c,i,j] x[n, G(o) + c, p sh - pt + i dh, q sw - pl + j dw], zero outside x
__kernel void conv2d(__global float* y, const ulong yOff, __global const float* x, const ulong xOff, __global const float* w, const ulong wOff,
        const ConvArgs a) {
    y += yOff; x += xOff; w += wOff;
    int e = get_global_id(0);
    if (e >= a.count) return;
    int q = e % a.Wo, s = e / a.Wo, p = s % a.Ho;
    s /= a.Ho;
    int o = s % a.O, n = s / a.O;
    int c0 = (o / a.Og) * a.Cg;
    float acc = 0.0f;
    for (int c = 0; c < a.Cg; c++) {
        __global const float* xp = x + ((long) n * a.C + c0 + c) * a.H * a.W;
        __global const float* wp = w + ((long) o * a.Cg + c) * a.kh * a.kw;
        for (int i = 0; i < a.kh; i++) {
            int r = p * a.sh - a.pt + i * a.dh;
            if (r < 0 || r >= a.H) continue;
            for (int j = 0; j < a.kw; j++) {
                int col = q * a.sw - a.pl + j * a.dw;
                if (col >= 0 && col < a.W) acc += wp[i * a.kw + j] * xp[r * a.W + col];
            }
        }
    }
    y[e] = rnd(acc, a.mode);
}

// The adjoint of conv2d in its input, in gather form: y[n,o,r,c] sums x[n,ci,p,q] w[ci,o',i,j] over the taps with
// p sh - pt + i dh = r and q sw - pl + j dw = c, ci in o's group, o' = o mod Og.
__kernel void conv_transpose2d(__global float* y, const ulong yOff, __global const float* x, const ulong xOff,
        __global const float* w, const ulong wOff, const ConvArgs a) {
    y += yOff; x += xOff; w += wOff;
    int e = get_global_id(0);
    if (e >= a.count) return;
    int c = e % a.Wo, s = e / a.Wo, r = s % a.Ho;
    s /= a.Ho;
    int o = s % a.O, n = s / a.O;
    int g = o / a.Og, ol = o - g * a.Og;
    float acc = 0.0f;
    for (int ci = g * a.Cg; ci < (g + 1) * a.Cg; ci++) {
        __global const float* xp = x + ((long) n * a.C + ci) * a.H * a.W;
        __global const float* wp = w + ((long) ci * a.Og + ol) * a.kh * a.kw;
        for (int i = 0; i < a.kh; i++) {
            int tr = r + a.pt - i * a.dh;
            if (tr < 0 || tr % a.sh != 0) continue;
            int p = tr / a.sh;
            if (p >= a.H) continue;
            for (int j = 0; j < a.kw; j++) {
                int tc = c + a.pl - j * a.dw;
                if (tc < 0 || tc % a.sw != 0) continue;
                int q = tc / a.sw;
                if (q < a.W) acc += xp[p * a.W + q] * wp[i * a.kw + j];
            }
        }
    }
    y[e] = rnd(acc, a.mode);
}

// dw[o,c,i,j] = sum_{n,p,q} g[n,o,p,q] x[n, G(o) + c, p sh - pt + i dh, q sw - pl + j dw]: one work-group per
// element of dw, a strided loop over (n, p, q) and a tree in local memory.
__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void conv2d_weight_grad(__global float* dw, const ulong dwOff, __global const float* x, const ulong xOff, __global const float* g, const ulong gOff,
        const ConvArgs a) {
    dw += dwOff; x += xOff; g += gOff;
    __local float part[GROUP];
    int e = get_group_id(0);
    int lid = get_local_id(0);
    int j = e % a.kw, s = e / a.kw, i = s % a.kh;
    s /= a.kh;
    int c = s % a.Cg, o = s / a.Cg;
    int ci = (o / a.Og) * a.Cg + c;
    int plane = a.Ho * a.Wo, total = a.N * plane;
    float acc = 0.0f;
    for (int k = lid; k < total; k += GROUP) {
        int n = k / plane, pq = k - n * plane, p = pq / a.Wo, q = pq - p * a.Wo;
        int r = p * a.sh - a.pt + i * a.dh, col = q * a.sw - a.pl + j * a.dw;
        if (r >= 0 && r < a.H && col >= 0 && col < a.W) {
            acc += g[((long) n * a.O + o) * plane + pq] * x[(((long) n * a.C + ci) * a.H + r) * a.W + col];
        }
    }
    part[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int t = GROUP / 2; t > 0; t >>= 1) {
        if (lid < t) part[lid] += part[lid + t];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) dw[e] = rnd(part[0], a.mode);
}

// The same weight gradient with one work-item per element of dw and a serial loop over (n, p, q): for short
// reductions, where a work-group per element would leave most work-items idle.
__kernel void conv2d_weight_grad_serial(__global float* dw, const ulong dwOff, __global const float* x, const ulong xOff,
        __global const float* g, const ulong gOff, const ConvArgs a) {
    dw += dwOff; x += xOff; g += gOff;
    int e = get_global_id(0);
    if (e >= a.count) return;
    int j = e % a.kw, s = e / a.kw, i = s % a.kh;
    s /= a.kh;
    int c = s % a.Cg, o = s / a.Cg;
    int ci = (o / a.Og) * a.Cg + c;
    int plane = a.Ho * a.Wo;
    float acc = 0.0f;
    for (int n = 0; n < a.N; n++) {
        for (int p = 0; p < a.Ho; p++) {
            int r = p * a.sh - a.pt + i * a.dh;
            if (r < 0 || r >= a.H) continue;
            for (int q = 0; q < a.Wo; q++) {
                int col = q * a.sw - a.pl + j * a.dw;
                if (col >= 0 && col < a.W) acc += g[((long) n * a.O + o) * plane + p * a.Wo + q] * x[(((long) n * a.C + ci) * a.H + r) * a.W + col];
            }
        }
    }
    dw[e] = rnd(acc, a.mode);
}
