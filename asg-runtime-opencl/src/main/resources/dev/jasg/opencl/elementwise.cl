// Elementwise kernels: unary functions, broadcasting binary functions and comparisons, where, and the
// strided copy that serves expand, permute, slice, slice-scatter, concat and cast. The op is a kernel
// argument (uniform over the launch), so there is one kernel per structural kind, not per function.

// Unary op codes: OpCodes.unary.
#define U_NEG 0
#define U_ABS 1
#define U_SIGN 2
#define U_EXP 3
#define U_EXPM1 4
#define U_LOG 5
#define U_LOG1P 6
#define U_SQRT 7
#define U_RSQRT 8
#define U_SIN 9
#define U_COS 10
#define U_ERF 11
#define U_RELU 12
#define U_SIGMOID 13
#define U_TANH 14
#define U_GELU 15
#define U_GELU_TANH 16
#define U_SILU 17
#define U_SOFTPLUS 18
#define U_ELU 19
#define U_LEAKY_RELU 20
#define U_CLAMP 21
#define U_FLOOR 22
#define U_ROUND 23
#define U_GELU_DERIVATIVE 24
#define U_GELU_TANH_DERIVATIVE 25

typedef struct { int n; int mode; int op; float a; float b; } UnaryArgs;

// 1/(1+e^-x) without overflow for either sign
inline float sigmoidf(float x) {
    if (x >= 0.0f) return 1.0f / (1.0f + exp(-x));
    float e = exp(x);
    return e / (1.0f + e);
}

// d/dx of GELU's tanh approximation, s + x s (1 - s) d(2u)/dx with s = sigmoid(2u), 2u = x (2k + 2kc x^2), evaluated
// with e = exp(-|2u|) so that neither side cancels: a tanh near 1 made 1 - t^2 a rounding error times 42 at x = 9
inline float geluTanhDeriv(float x) {
    float e = exp(-fmin(fabs(x) * (1.5957691216057308f + 0.07135481627260025f * x * x), 170.0f)), ope = 1.0f + e;
    float slope = 1.5957691216057308f + 0.21406444881780076f * x * x;
    return ((x >= 0.0f ? 1.0f : e) * ope + x * slope * e) / (ope * ope);
}

inline float unaryOf(int op, float x, float a, float b) {
    switch (op) {
        case U_NEG: return -x;
        case U_ABS: return fabs(x);
        case U_SIGN: return isNaN(x) ? x : (x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x));  // sign(+-0) = +-0, NaN stays NaN
        case U_EXP: return exp(x);
        case U_EXPM1: return expm1(x);
        case U_LOG: return log(x);
        case U_LOG1P: return log1p(x);
        case U_SQRT: return sqrt(x);
        case U_RSQRT: return 1.0f / sqrt(x);
        case U_SIN: return sin(x);
        case U_COS: return cos(x);
        case U_ERF: return erf(x);
        case U_RELU: return x > 0.0f || isNaN(x) ? x : 0.0f;  // NaN stays NaN, as in PyTorch
        case U_SIGMOID: return sigmoidf(x);
        case U_TANH: return tanh(x);
        case U_GELU: return 0.5f * x * (1.0f + erf(x * 0.70710678118654752f));
        case U_GELU_TANH: return 0.5f * x * (1.0f + tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
        case U_SILU: return x * sigmoidf(x);
        case U_SOFTPLUS: return a * x > b ? x : log1p(exp(a * x)) / a;
        case U_ELU: return x > 0.0f ? x : a * expm1(x);
        case U_LEAKY_RELU: return x > 0.0f ? x : a * x;
        case U_CLAMP: return isNaN(x) ? x : fmin(fmax(x, a), b);
        case U_FLOOR: return floor(x);
        case U_ROUND: return rint(x);  // halves to even, as torch.round
        case U_GELU_DERIVATIVE: return 0.5f * (1.0f + erf(x * 0.70710678118654752f)) + x * exp(-0.5f * x * x) * 0.39894228040143268f;
        case U_GELU_TANH_DERIVATIVE: return geluTanhDeriv(x);
        default: return NAN;
    }
}

// o[i] = rnd(f(x[i]; a, b)) over n contiguous elements.
__kernel void unary(__global float* o, const ulong oOff, __global const float* x, const ulong xOff, const UnaryArgs p) {
    o += oOff; x += xOff;
    int i = get_global_id(0);
    if (i >= p.n) return;
    o[i] = rnd(unaryOf(p.op, x[i], p.a, p.b), p.mode);
}

// Binary op codes: OpCodes.binary; comparisons: OpCodes.compare.
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAXIMUM 5
#define B_MINIMUM 6
#define B_ATAN2 7
#define B_FMOD 8
#define C_EQ 16
#define C_NE 17
#define C_LT 18
#define C_LE 19
#define C_GT 20
#define C_GE 21

// Java's Math.pow where the reference needs it: x^0 = 1 even for NaN x, otherwise NaN in gives NaN out
inline float powf_(float x, float y) {
    if (y == 0.0f) return 1.0f;
    if (isNaN(x) || isNaN(y)) return NAN;
    return pow(x, y);
}

inline float binaryOf(int op, float x, float y) {
    switch (op) {
        case B_ADD: return x + y;
        case B_SUB: return x - y;
        case B_MUL: return x * y;
        case B_DIV: return x / y;
        case B_POW: return powf_(x, y);
        case B_MAXIMUM: return isNaN(x) || isNaN(y) ? NAN : fmax(x, y);
        case B_MINIMUM: return isNaN(x) || isNaN(y) ? NAN : fmin(x, y);
        case B_ATAN2: return atan2(x, y);
        case B_FMOD: return fmod(x, y);
        case C_EQ: return x == y ? 1.0f : 0.0f;
        case C_NE: return x != y ? 1.0f : 0.0f;
        case C_LT: return x < y ? 1.0f : 0.0f;
        case C_LE: return x <= y ? 1.0f : 0.0f;
        case C_GT: return x > y ? 1.0f : 0.0f;
        case C_GE: return x >= y ? 1.0f : 0.0f;
        default: return NAN;
    }
}

typedef struct { int n; int mode; int op; int rank; int d[MAX_RANK]; int sx[MAX_RANK]; int sy[MAX_RANK]; } BinaryArgs;

// o[i] = rnd(f(x[bx(i)], y[by(i)])) where bx, by read the operands through broadcast strides (0 on stretched axes).
__kernel void binary(__global float* o, const ulong oOff, __global const float* x, const ulong xOff, __global const float* y, const ulong yOff,
        const BinaryArgs p) {
    o += oOff; x += xOff; y += yOff;
    int i = get_global_id(0);
    if (i >= p.n) return;
    int t = i, ox = 0, oy = 0;
    for (int k = p.rank - 1; k >= 0; k--) {
        int c = t % p.d[k];
        t /= p.d[k];
        ox += c * p.sx[k];
        oy += c * p.sy[k];
    }
    o[i] = rnd(binaryOf(p.op, x[ox], y[oy]), p.mode);
}

typedef struct { int n; int mode; int rank; int d[MAX_RANK]; int sm[MAX_RANK]; int sa[MAX_RANK]; int sb[MAX_RANK]; } WhereArgs;

// o[i] = m[bm(i)] != 0 ? a[ba(i)] : b[bb(i)], all three broadcast
__kernel void where_select(__global float* o, const ulong oOff, __global const float* m, const ulong mOff,
        __global const float* a, const ulong aOff, __global const float* b, const ulong bOff, const WhereArgs p) {
    o += oOff; m += mOff; a += aOff; b += bOff;
    int i = get_global_id(0);
    if (i >= p.n) return;
    int t = i, om = 0, oa = 0, ob = 0;
    for (int k = p.rank - 1; k >= 0; k--) {
        int c = t % p.d[k];
        t /= p.d[k];
        om += c * p.sm[k];
        oa += c * p.sa[k];
        ob += c * p.sb[k];
    }
    o[i] = rnd(m[om] != 0.0f ? a[oa] : b[ob], p.mode);
}

typedef struct { int n; int mode; int rank; int so; int dst; int d[MAX_RANK]; int ss[MAX_RANK]; int ds[MAX_RANK]; } CopyArgs;

// For each multi-index idx of d: o[dst + idx.ds] = rnd(x[so + idx.ss]).
__kernel void strided_copy(__global float* o, const ulong oOff, __global const float* x, const ulong xOff, const CopyArgs p) {
    o += oOff; x += xOff;
    int i = get_global_id(0);
    if (i >= p.n) return;
    int t = i, os = p.so, od = p.dst;
    for (int k = p.rank - 1; k >= 0; k--) {
        int c = t % p.d[k];
        t /= p.d[k];
        os += c * p.ss[k];
        od += c * p.ds[k];
    }
    o[od] = rnd(x[os], p.mode);
}
