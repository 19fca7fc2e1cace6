package dev.jasg.gpu;

import dev.jasg.core.ArgReduceOp;
import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.UnaryOp;

/**
 * GLSL sources of the elementwise, data-movement and reduction kernels, one small
 * template per kind with the op's scalar expression filled in. Sizes, strides and the
 * output rounding mode arrive as push constants, so there is one shader per op kind, not
 * per shape. Every tensor is stored as 32-bit float; integer and boolean results are
 * rounded on store ({@code mode} 1 truncates toward zero, 2 maps to x != 0), matching
 * {@link dev.jasg.core.DType#round}.
 *
 * <p>Flat kernels run 256 invocations per workgroup over a 2-D grid of workgroups (the
 * grid's x extent is capped by the device), and no kernel depends on the subgroup size.
 */
final class GlslKernels {
    /** Highest rank a strided kernel takes after adjacent axes are merged. */
    static final int MAX_RANK = 6;
    /** Highest number of kept or reduced axis groups a reduction takes after merging. */
    static final int MAX_REDUCE_GROUPS = 4;
    /** Invocations per workgroup of the flat kernels. */
    static final int GROUP = 256;

    private GlslKernels() {}

    static final String HEADER = """
            #version 450
            #extension GL_EXT_control_flow_attributes : enable
            layout(local_size_x = 256) in;
            #define INF uintBitsToFloat(0x7F800000u)
            #define NAN uintBitsToFloat(0x7FC00000u)
            uint flatId() { return (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 256u + gl_LocalInvocationID.x; }
            uint groupId() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }
            // NaN by its bits, never by a float comparison a compiler may assume away
            bool isNaN(float v) { return (floatBitsToUint(v) & 0x7FFFFFFFu) > 0x7F800000u; }
            float rnd(float v, uint mode) { return mode == 0u ? v : (mode == 1u ? trunc(v) : (v != 0.0 ? 1.0 : 0.0)); }
            """;

    /** Where lane {@code i} of a one-axis-per-invocation kernel starts (push constants {@code len}, {@code inner}). */
    static final String LANE_BASE = "uint laneBase(uint i) { return (i / pc.inner) * pc.len * pc.inner + i % pc.inner; }\n";

    /**
     * The buffers, push constants and lane start of the kernels that walk one axis per invocation
     * (arg-max, softmax, scans): push lanes, len, inner; lane {@code i} reads {@code len} elements
     * {@code inner} apart from {@code laneBase(i)}.
     */
    static final String LANES = """
            layout(std430, binding = 0) writeonly buffer O { float o[]; };
            layout(std430, binding = 1) readonly buffer X { float xs[]; };
            layout(push_constant) uniform P { uint lanes; uint len; uint inner; } pc;
            """ + LANE_BASE;

    /** Scalar helpers GLSL lacks, written to stay accurate in single precision. */
    private static final String MATH = """
            // Vulkan allows GLSL's log an absolute error of 2^-21 on [0.5, 2] (relative error without bound near 1;
            // lavapipe's log(1 + 1e-5) is 1.3e-3 off) and exp 3 + 2|x| ulp, so the functions that must stay
            // accurate near 0 use series there and the built-ins only where they are accurate again.
            float log1pSeries(float x) {  // log(1 + x) = 2 atanh(s), s = x / (2 + x), |s| <= 1/3 for x in [-0.5, 1]
                float s = x / (2.0 + x), z = s * s;
                return 2.0 * s * (1.0 + z * (0.33333333 + z * (0.2 + z * (0.14285714 + z * (0.11111111
                        + z * (0.09090909 + z * (0.07692308 + z * (0.06666667 + z * 0.05882353))))))));
            }
            float log1pf(float x) {
                if (x >= -0.5 && x <= 1.0) return log1pSeries(x);
                return log(1.0 + x);  // 1 + x lies outside [0.5, 2], where log is accurate to 3 ulp; NaN stays NaN
            }
            float logf(float x) {
                if (x >= 0.5 && x <= 2.0) return log1pSeries(x - 1.0);  // x - 1 is exact there (Sterbenz)
                return log(x);
            }
            // NVIDIA's GLSL sin/cos have an absolute error near 2^-21 (sin(1e-7) came out 0 on an H200), so
            // sinf/cosf reduce by pi/2 in three parts (Cody-Waite) and use Taylor polynomials on [-pi/4, pi/4],
            // whose first omitted terms are below 4e-8 relative; accurate for |x| up to about 1e5.
            float sinPoly(float r) {
                float z = r * r;
                return r + r * z * (-0.16666667 + z * (0.0083333333 + z * (-0.00019841270 + z * 0.0000027557319)));
            }
            float cosPoly(float r) {
                float z = r * r;
                return 1.0 + z * (-0.5 + z * (0.041666667 + z * (-0.0013888889 + z * 0.000024801587)));
            }
            float sinCos(float x, int shift) {  // shift 0: sin x, shift 1: cos x = sin(x + pi/2)
                if (isNaN(x) || abs(x) == INF) return NAN;
                float q = round(x * 0.63661977236758134);
                float r = ((x - q * 1.5703125) - q * 4.8375129699707031e-4) - q * 7.5497899548918821e-8;
                int n = (int(q) + shift) & 3;
                float v = (n & 1) == 0 ? sinPoly(r) : cosPoly(r);
                return n >= 2 ? -v : v;
            }
            float sinf(float x) { return sinCos(x, 0); }
            float cosf(float x) { return sinCos(x, 1); }
            float expm1f(float x) {
                if (abs(x) < 0.5) {  // Taylor series to x^9/9!: the first omitted term is under 3e-10 relative
                    return x * (1.0 + x * (0.5 + x * (0.16666667 + x * (0.041666668 + x * (0.008333334 + x * (0.0013888889
                            + x * (0.0001984127 + x * (0.0000248016 + x * 0.0000027557319))))))));
                }
                if (x > 88.0) return INF;
                return exp(x) - 1.0;  // |x| >= 0.5: no cancellation worse than a factor 2.6
            }
            float erff(float x) {
                float ax = abs(x);
                if (isNaN(x)) return x;
                if (ax < 0.5) {
                    float x2 = x * x;  // Maclaurin series, 2/sqrt(pi) (x - x^3/3 + x^5/10 - x^7/42 + x^9/216)
                    return 1.1283791671 * x * (1.0 + x2 * (-0.3333333333 + x2 * (0.1 + x2 * (-0.0238095238 + x2 * 0.0046296296))));
                }
                float t = 1.0 / (1.0 + 0.3275911 * ax);  // Abramowitz-Stegun 7.1.26, |error| < 1.5e-7
                float p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
                return sign(x) * (1.0 - p * exp(-ax * ax));
            }
            float tanhf(float x) {
                if (isNaN(x)) return x;
                if (abs(x) > 9.0) return sign(x);
                float e = expm1f(2.0 * x);
                return e / (e + 2.0);
            }
            float sigmoidf(float x) { return x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }
            float powf(float x, float y) {
                if (y == 0.0) return 1.0;
                if (isNaN(x) || isNaN(y)) return NAN;
                if (x == 0.0) return y > 0.0 ? 0.0 : INF;
                float r = exp2(y * log2(abs(x)));
                if (x < 0.0) {
                    if (fract(y) != 0.0) return NAN;
                    if (mod(y, 2.0) == 1.0) r = -r;
                }
                return r;
            }
            bool isInf(float v) { return (floatBitsToUint(v) & 0x7FFFFFFFu) == 0x7F800000u; }
            float copySign(float m, float s) { return uintBitsToFloat((floatBitsToUint(m) & 0x7FFFFFFFu) | (floatBitsToUint(s) & 0x80000000u)); }
            float atan2f(float y, float x) {  // C's atan2: GLSL leaves atan(0, 0), infinities and signed zeros open
                if (isNaN(x) || isNaN(y)) return NAN;
                bool xNeg = (floatBitsToUint(x) & 0x80000000u) != 0u;  // -0 counts as negative, as in C
                if (y == 0.0) return xNeg ? copySign(3.14159265, y) : y;
                if (isInf(x)) {
                    if (isInf(y)) return copySign(xNeg ? 2.35619449 : 0.78539816, y);
                    return xNeg ? copySign(3.14159265, y) : copySign(0.0, y);
                }
                if (isInf(y) || x == 0.0) return copySign(1.57079633, y);
                // lavapipe's atan is 2e-5 off near 0 (Vulkan allows 4096 ulp), so Cephes' atanf on t = min/max in [0, 1]:
                // reduced to |t| <= tan(pi/8) by atan t = pi/4 + atan((t - 1)/(t + 1)), then an odd polynomial (~2 ulp)
                float ax = abs(x), ay = abs(y);
                float t = min(ax, ay) / max(ax, ay), base = 0.0;
                if (t > 0.41421356) { t = (t - 1.0) / (t + 1.0); base = 0.78539816; }
                float z = t * t;
                float a = base + ((((0.0805374449538 * z - 0.138776856032) * z + 0.199777106478) * z - 0.333329491539) * z * t + t);
                if (ay > ax) a = 1.57079633 - a;
                if (xNeg) a = 3.14159265 - a;
                return copySign(a, y);
            }
            float fmodf(float x, float y) {  // C's fmod, exact, with the sign of x
                if (isNaN(x) || isNaN(y) || isInf(x) || y == 0.0) return NAN;
                float r = abs(x), ay = abs(y);
                if (isInf(y) || r < ay) return x;
                int ex, ey;
                frexp(r, ex);
                frexp(ay, ey);
                // binary long division: b <= r < 2b at every subtraction, so each is exact (Sterbenz); x - trunc(x/y) y
                // in floats would not be (the rounded quotient can reach the next integer, and q y rounds)
                float b = ldexp(ay, ex - ey);
                for (int i = ex - ey; i >= 0; i--) {
                    if (r >= b) r -= b;
                    b *= 0.5;
                }
                return copySign(r, x);
            }
            """;

    /** GLSL expression of {@code kind} over {@code x} with parameters {@code a}, {@code b}. */
    static String unaryExpression(UnaryOp kind) {
        return switch (kind) {
            case NEG -> "-x";
            case ABS -> "abs(x)";
            case SIGN -> "isNaN(x) ? x : sign(x)";  // GLSL leaves sign(NaN) undefined; PyTorch gives NaN
            case EXP -> "exp(x)";
            case EXPM1 -> "expm1f(x)";
            case LOG -> "logf(x)";
            case LOG1P -> "log1pf(x)";
            case SQRT -> "sqrt(x)";
            case RSQRT -> "1.0 / sqrt(x)";
            case SIN -> "sinf(x)";
            case COS -> "cosf(x)";
            case ERF -> "erff(x)";
            case RELU -> "x > 0.0 || isNaN(x) ? x : 0.0";  // NaN stays NaN, as in PyTorch
            case SIGMOID -> "sigmoidf(x)";
            case TANH -> "tanhf(x)";
            case GELU -> "0.5 * x * (1.0 + erff(x * 0.70710678118654752))";
            case GELU_TANH -> "0.5 * x * (1.0 + tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))";
            case SILU -> "x * sigmoidf(x)";
            case SOFTPLUS -> "a * x > b ? x : log1pf(exp(a * x)) / a";
            case ELU -> "x > 0.0 ? x : a * expm1f(x)";
            case LEAKY_RELU -> "x > 0.0 ? x : a * x";
            case CLAMP -> "isNaN(x) ? x : min(max(x, a), b)";
            case FLOOR -> "floor(x)";
            case ROUND -> "roundEven(x)";
        };
    }

    static String binaryExpression(BinaryOp kind) {
        return switch (kind) {
            case ADD -> "x + y";
            case SUB -> "x - y";
            case MUL -> "x * y";
            case DIV -> "x / y";
            case POW -> "powf(x, y)";
            case MAXIMUM -> "isNaN(x) || isNaN(y) ? NAN : max(x, y)";
            case MINIMUM -> "isNaN(x) || isNaN(y) ? NAN : min(x, y)";
            case ATAN2 -> "atan2f(x, y)";
            case FMOD -> "fmodf(x, y)";
        };
    }

    static String compareExpression(CompareOp kind) {
        String c = switch (kind) {
            case EQ -> "x == y";
            case NE -> "x != y";
            case LT -> "x < y";
            case LE -> "x <= y";
            case GT -> "x > y";
            case GE -> "x >= y";
        };
        return "(" + c + ") ? 1.0 : 0.0";
    }

    /** {@code o[i] = rnd(f(x[i]; a, b))} over {@code n} contiguous elements. Push: n, mode, a, b. */
    static Kernel unary(UnaryOp kind) {
        String src = HEADER + MATH + """
                layout(std430, binding = 0) writeonly buffer O { float o[]; };
                layout(std430, binding = 1) readonly buffer X { float xs[]; };
                layout(push_constant) uniform P { uint n; uint mode; float a; float b; } pc;
                void main() {
                    uint i = flatId();
                    if (i >= pc.n) return;
                    float x = xs[i], a = pc.a, b = pc.b;
                    o[i] = rnd(EXPR, pc.mode);
                }
                """.replace("EXPR", unaryExpression(kind));
        return new Kernel("unary_" + kind.label(), src, 2);
    }

    /**
     * {@code o[i] = rnd(f(x[bx(i)], y[by(i)]))} where {@code bx}, {@code by} read the
     * operands through broadcast strides. Push: n, mode, rank, dims[6], sx[6], sy[6].
     */
    static Kernel binary(String name, String expression) {
        String src = HEADER + MATH + """
                layout(std430, binding = 0) writeonly buffer O { float o[]; };
                layout(std430, binding = 1) readonly buffer X { float xs[]; };
                layout(std430, binding = 2) readonly buffer Y { float ys[]; };
                layout(push_constant) uniform P { uint n; uint mode; uint rank; uint d[6]; uint sx[6]; uint sy[6]; } pc;
                void main() {
                    uint i = flatId();
                    if (i >= pc.n) return;
                    uint t = i, ox = 0u, oy = 0u;
                    for (int k = int(pc.rank) - 1; k >= 0; k--) {
                        uint c = t % pc.d[k];
                        t /= pc.d[k];
                        ox += c * pc.sx[k];
                        oy += c * pc.sy[k];
                    }
                    float x = xs[ox], y = ys[oy];
                    o[i] = rnd(EXPR, pc.mode);
                }
                """.replace("EXPR", expression);
        return new Kernel(name, src, 3);
    }

    /** {@code o[i] = m[bm(i)] != 0 ? a[ba(i)] : b[bb(i)]}. Push: n, mode, rank, dims[6], sm[6], sa[6], sb[6]. */
    static Kernel where() {
        String src = HEADER + """
                layout(std430, binding = 0) writeonly buffer O { float o[]; };
                layout(std430, binding = 1) readonly buffer M { float ms[]; };
                layout(std430, binding = 2) readonly buffer A { float as_[]; };
                layout(std430, binding = 3) readonly buffer B { float bs[]; };
                layout(push_constant) uniform P { uint n; uint mode; uint rank; uint d[6]; uint sm[6]; uint sa[6]; uint sb[6]; } pc;
                void main() {
                    uint i = flatId();
                    if (i >= pc.n) return;
                    uint t = i, om = 0u, oa = 0u, ob = 0u;
                    for (int k = int(pc.rank) - 1; k >= 0; k--) {
                        uint c = t % pc.d[k];
                        t /= pc.d[k];
                        om += c * pc.sm[k];
                        oa += c * pc.sa[k];
                        ob += c * pc.sb[k];
                    }
                    o[i] = rnd(ms[om] != 0.0 ? as_[oa] : bs[ob], pc.mode);
                }
                """;
        return new Kernel("where", src, 4);
    }

    /**
     * Strided copy: for each multi-index {@code idx} of {@code dims},
     * {@code dst[do + idx.ds] = rnd(src[so + idx.ss])}. Serves expand, permute, slice,
     * slice-scatter, concat and cast. Push: n, mode, rank, so, do, dims[6], ss[6], ds[6].
     */
    static Kernel copy() {
        String src = HEADER + """
                layout(std430, binding = 0) buffer O { float o[]; };
                layout(std430, binding = 1) readonly buffer X { float xs[]; };
                layout(push_constant) uniform P { uint n; uint mode; uint rank; uint so; uint do_; uint d[6]; uint ss[6]; uint ds[6]; } pc;
                void main() {
                    uint i = flatId();
                    if (i >= pc.n) return;
                    uint t = i, os = pc.so, od = pc.do_;
                    for (int k = int(pc.rank) - 1; k >= 0; k--) {
                        uint c = t % pc.d[k];
                        t /= pc.d[k];
                        os += c * pc.ss[k];
                        od += c * pc.ds[k];
                    }
                    o[od] = rnd(xs[os], pc.mode);
                }
                """;
        return new Kernel("copy", src, 2);
    }

    /**
     * One workgroup per output element folds the {@code R} elements that map to it (a
     * strided loop, then a tree in shared memory). The kept and the reduced axes arrive as
     * up to four merged groups each. Push: nOut, R, kr, rr, kd[4], ks[4], rd[4], rs[4], mode.
     */
    static Kernel reduce(ReduceOp kind) {
        String identity = switch (kind) {
            case SUM, MEAN -> "0.0";
            case MAX -> "-INF";
            case MIN -> "INF";
        };
        String combine = switch (kind) {
            case SUM, MEAN -> "acc + v";
            case MAX -> "isNaN(acc) ? acc : (isNaN(v) || v > acc ? v : acc)";
            case MIN -> "isNaN(acc) ? acc : (isNaN(v) || v < acc ? v : acc)";
        };
        String finish = kind == ReduceOp.MEAN ? "acc / float(pc.R)" : "acc";
        String src = HEADER + """
                layout(std430, binding = 0) writeonly buffer O { float o[]; };
                layout(std430, binding = 1) readonly buffer X { float xs[]; };
                layout(push_constant) uniform P { uint nOut; uint R; uint kr; uint rr; uint kd[4]; uint ks[4]; uint rd[4]; uint rs[4]; uint mode; } pc;
                shared float part[256];
                float combine(float acc, float v) { return COMBINE; }
                void main() {
                    uint oi = groupId();
                    if (oi >= pc.nOut) return;
                    uint lid = gl_LocalInvocationID.x;
                    uint base = 0u, t = oi;
                    for (int k = int(pc.kr) - 1; k >= 0; k--) {
                        uint c = t % pc.kd[k];
                        t /= pc.kd[k];
                        base += c * pc.ks[k];
                    }
                    float acc = IDENTITY;
                    for (uint r = lid; r < pc.R; r += 256u) {
                        uint off = base, u = r;
                        for (int k = int(pc.rr) - 1; k >= 0; k--) {
                            uint c = u % pc.rd[k];
                            u /= pc.rd[k];
                            off += c * pc.rs[k];
                        }
                        acc = combine(acc, xs[off]);
                    }
                    part[lid] = acc;
                    barrier();
                    for (uint s = 128u; s > 0u; s >>= 1) {
                        if (lid < s) part[lid] = combine(part[lid], part[lid + s]);
                        barrier();
                    }
                    if (lid == 0u) {
                        acc = part[0];
                        o[oi] = rnd(FINISH, pc.mode);
                    }
                }
                """.replace("COMBINE", combine).replace("IDENTITY", identity).replace("FINISH", finish);
        return new Kernel("reduce_" + kind.label(), src, 2);
    }

    /** One invocation per lane scans {@code len} elements {@code inner} apart, keeping the first best index. Push: lanes, len, inner. */
    static Kernel argReduce(ArgReduceOp kind) {
        String src = HEADER + LANES + """
                void main() {
                    uint i = flatId();
                    if (i >= pc.lanes) return;
                    uint base = laneBase(i);
                    uint best = 0u;
                    if (pc.len > 0u) {
                        float bv = xs[base];
                        for (uint k = 1u; k < pc.len; k++) {
                            float v = xs[base + k * pc.inner];
                            // NaN counts as the extreme, and the first NaN wins (PyTorch)
                            if (!isNaN(bv) && (v CMP bv || isNaN(v))) { bv = v; best = k; }
                        }
                    }
                    o[i] = float(best);
                }
                """.replace("CMP", kind == ArgReduceOp.ARGMAX ? ">" : "<");
        return new Kernel(kind.label(), src, 2);
    }

    /** One invocation per lane: max, sum of exponentials, then the normalised values. Push: lanes, len, inner. */
    static Kernel softmax(boolean log) {
        String src = HEADER + LANES + """
                void main() {
                    uint i = flatId();
                    if (i >= pc.lanes) return;
                    uint base = laneBase(i);
                    float m = -INF;
                    for (uint k = 0u; k < pc.len; k++) {
                        float v = xs[base + k * pc.inner];
                        m = isNaN(m) || isNaN(v) ? NAN : max(m, v);
                    }
                    float sum = 0.0;
                    for (uint k = 0u; k < pc.len; k++) sum += exp(xs[base + k * pc.inner] - m);
                    float ls = log(sum);
                    for (uint k = 0u; k < pc.len; k++) {
                        float z = xs[base + k * pc.inner] - m;
                        o[base + k * pc.inner] = LOG ? z - ls : exp(z) / sum;
                    }
                }
                """.replace("LOG", log ? "true" : "false");
        return new Kernel(log ? "log_softmax" : "softmax", src, 2);
    }
}
