// Scalar helpers GLSL lacks, written to stay accurate in single precision.
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
// d/dx of GELU's tanh approximation, s + x s (1 - s) d(2u)/dx with s = sigmoid(2u), 2u = x (2k + 2kc x^2), evaluated
// with e = exp(-|2u|) so that neither side cancels (1 - tanh^2 near tanh = 1 would)
float geluTanhDerivf(float x) {
    float e = exp(-min(abs(x) * (1.5957691216057308 + 0.07135481627260025 * x * x), 170.0)), ope = 1.0 + e;
    float slope = 1.5957691216057308 + 0.21406444881780076 * x * x;
    return ((x >= 0.0 ? 1.0 : e) * ope + x * slope * e) / (ope * ope);
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
