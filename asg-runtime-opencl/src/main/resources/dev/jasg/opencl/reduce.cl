// Reductions and the kernels that walk one axis per lane: sum/mean/max/min over any axes, normalisation,
// arg-max/arg-min, softmax and log-softmax, cumulative sum and product, and the stable arg-sort.

#define R_SUM 0
#define R_MEAN 1
#define R_MAX 2
#define R_MIN 3

// The geometry of a reduction: nOut outputs of R elements each; kept and reduced axes arrive as up to
// four merged (size, stride) groups each. eps is used by normalize only.
typedef struct { int nOut; int R; int kr; int rr; int kd[MAX_GROUPS]; int ks[MAX_GROUPS]; int rd[MAX_GROUPS]; int rs[MAX_GROUPS];
                 int mode; int op; float eps; } ReduceArgs;

inline int baseOf(const ReduceArgs* p, int oi) {
    int base = 0, t = oi;
    for (int k = p->kr - 1; k >= 0; k--) {
        int c = t % p->kd[k];
        t /= p->kd[k];
        base += c * p->ks[k];
    }
    return base;
}

inline int offsetOf(const ReduceArgs* p, int base, int r) {
    int off = base, u = r;
    for (int k = p->rr - 1; k >= 0; k--) {
        int c = u % p->rd[k];
        u /= p->rd[k];
        off += c * p->rs[k];
    }
    return off;
}

inline float combine(int op, float acc, float v) {
    switch (op) {
        case R_MAX: return isNaN(acc) ? acc : (isNaN(v) || v > acc ? v : acc);  // NaN wins
        case R_MIN: return isNaN(acc) ? acc : (isNaN(v) || v < acc ? v : acc);
        default: return acc + v;
    }
}

inline float treeCombine(__local float* part, int op, float acc, int lid) {
    part[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = GROUP / 2; s > 0; s >>= 1) {
        if (lid < s) part[lid] = combine(op, part[lid], part[lid + s]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float t = part[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return t;
}

// One work-group of GROUP work-items per output: a strided loop, then a tree in local memory.
__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void reduce(__global float* o, const ulong oOff, __global const float* x, const ulong xOff, const ReduceArgs p) {
    o += oOff; x += xOff;
    __local float part[GROUP];
    int oi = get_group_id(0);
    int lid = get_local_id(0);
    int base = baseOf(&p, oi);
    float acc = p.op == R_MAX ? -INFINITY : (p.op == R_MIN ? INFINITY : 0.0f);
    for (int r = lid; r < p.R; r += GROUP) acc = combine(p.op, acc, x[offsetOf(&p, base, r)]);
    acc = treeCombine(part, p.op, acc, lid);
    if (lid == 0) o[oi] = rnd(p.op == R_MEAN ? acc / (float) p.R : acc, p.mode);
}

// (x - mean) / sqrt(var + eps) over the reduced axes, the biased variance from the deviations (two passes).
__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void normalize_axes(__global float* o, const ulong oOff, __global const float* x, const ulong xOff, const ReduceArgs p) {
    o += oOff; x += xOff;
    __local float part[GROUP];
    int oi = get_group_id(0);
    int lid = get_local_id(0);
    int base = baseOf(&p, oi);
    float acc = 0.0f;
    for (int r = lid; r < p.R; r += GROUP) acc += x[offsetOf(&p, base, r)];
    float mean = treeCombine(part, R_SUM, acc, lid) / (float) p.R;
    acc = 0.0f;
    for (int r = lid; r < p.R; r += GROUP) {
        float c = x[offsetOf(&p, base, r)] - mean;
        acc += c * c;
    }
    float rstd = 1.0f / sqrt(treeCombine(part, R_SUM, acc, lid) / (float) p.R + p.eps);
    for (int r = lid; r < p.R; r += GROUP) {
        int off = offsetOf(&p, base, r);
        o[off] = rnd((x[off] - mean) * rstd, p.mode);
    }
}

// Lanes of [outer, len, inner]: lane i reads len elements inner apart from laneBase(i). flag: the kernel's variant.
typedef struct { int lanes; int len; int inner; int flag; } LaneArgs;

inline int laneBase(const LaneArgs* p, int i) { return (i / p->inner) * p->len * p->inner + i % p->inner; }

// flag 0: arg-max, 1: arg-min; the first best index wins, NaN counts as the extreme and the first NaN wins (PyTorch).
__kernel void arg_reduce(__global float* o, const ulong oOff, __global const float* x, const ulong xOff, const LaneArgs p) {
    o += oOff; x += xOff;
    int i = get_global_id(0);
    if (i >= p.lanes) return;
    int base = laneBase(&p, i);
    int best = 0;
    if (p.len > 0) {
        float bv = x[base];
        for (int k = 1; k < p.len; k++) {
            float v = x[base + k * p.inner];
            bool better = p.flag == 0 ? v > bv : v < bv;
            if (!isNaN(bv) && (better || isNaN(v))) { bv = v; best = k; }
        }
    }
    o[i] = (float) best;
}

// flag 0: softmax, 1: log-softmax; max, sum of exponentials, then the normalised values.
__kernel void softmax(__global float* o, const ulong oOff, __global const float* x, const ulong xOff, const LaneArgs p) {
    o += oOff; x += xOff;
    int i = get_global_id(0);
    if (i >= p.lanes) return;
    int base = laneBase(&p, i);
    float m = -INFINITY;
    for (int k = 0; k < p.len; k++) {
        float v = x[base + k * p.inner];
        m = isNaN(m) || isNaN(v) ? NAN : fmax(m, v);
    }
    float sum = 0.0f;
    for (int k = 0; k < p.len; k++) sum += exp(x[base + k * p.inner] - m);
    float ls = log(sum);
    for (int k = 0; k < p.len; k++) {
        float z = x[base + k * p.inner] - m;
        o[base + k * p.inner] = p.flag == 1 ? z - ls : exp(z) / sum;
    }
}

// flag bit 0: product (else sum), bit 1: from the end. One pass per lane.
__kernel void scan(__global float* o, const ulong oOff, __global const float* x, const ulong xOff, const LaneArgs p) {
    o += oOff; x += xOff;
    int i = get_global_id(0);
    if (i >= p.lanes) return;
    int base = laneBase(&p, i);
    bool product = (p.flag & 1) != 0, reverse = (p.flag & 2) != 0;
    float acc = product ? 1.0f : 0.0f;
    for (int k = 0; k < p.len; k++) {
        int at = base + (reverse ? p.len - 1 - k : k) * p.inner;
        acc = product ? acc * x[at] : acc + x[at];
        o[at] = acc;
    }
}

// -1, 0, 1 as a is below, equal to or above b, NaN above every number
inline int cmpNaNLast(float a, float b) {
    bool na = isNaN(a), nb = isNaN(b);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
    return a < b ? -1 : (a > b ? 1 : 0);
}

// Stable insertion sort of each lane's indices (as floats) in the output; flag 1: descending. O(len^2) per lane:
// fine for the short axes of top-k and sorting scores.
__kernel void argsort(__global float* o, const ulong oOff, __global const float* x, const ulong xOff, const LaneArgs p) {
    o += oOff; x += xOff;
    int i = get_global_id(0);
    if (i >= p.lanes) return;
    int base = laneBase(&p, i);
    for (int k = 0; k < p.len; k++) {
        float v = x[base + k * p.inner];
        int j = k - 1;
        while (j >= 0) {
            float prev = o[base + j * p.inner];
            int c = cmpNaNLast(v, x[base + (int) prev * p.inner]);
            if (!(p.flag == 1 ? c > 0 : c < 0)) break;
            o[base + (j + 1) * p.inner] = prev;
            j--;
        }
        o[base + (j + 1) * p.inner] = (float) k;
    }
}
