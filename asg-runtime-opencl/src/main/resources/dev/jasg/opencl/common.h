// Shared helpers, prepended to every program (not a program of its own, so not a .cl file).
// Every tensor is stored as 32-bit float; integer, boolean and half results are rounded on store:
// mode 0 keeps the float, 1 truncates toward zero, 2 maps to x != 0 (NaN counts as nonzero),
// 3 rounds to the nearest f16 value, 4 to the nearest bf16 value (ties to even; NaN stays NaN).
// Every buffer argument of a kernel is followed by its offset in elements (a ulong), and the kernel first moves the
// pointer by it (`x += xOff;`): a plan's tensors are ranges of one arena buffer, bound as (buffer, offset) pairs and
// never as sub-buffers (with those the op table crashed NVIDIA's driver in clReleaseMemObject); separate buffers
// (parameters, side tables) come with offset 0.
#define GROUP 256
#define MAX_RANK 6
#define MAX_GROUPS 4

// binary16 rounding on the bits (vstore_half's rounding mode is not the default one everywhere): NaN and
// infinities pass, |v| >= 65520 overflows, |v| < 2^-14 goes to the 2^-24 grid
inline float roundF16(float v) {
    uint u = as_uint(v), a = u & 0x7FFFFFFFu, s = u & 0x80000000u;
    if (a >= 0x7F800000u) return v;
    if (a >= 0x477FF000u) return as_float(s | 0x7F800000u);
    if (a < 0x38800000u) return as_float(s | as_uint(rint(as_float(a) * 16777216.0f) * 5.9604644775390625e-8f));
    a += 0x0FFFu + ((a >> 13) & 1u);
    return as_float(s | (a & 0xFFFFE000u));
}
inline float roundBf16(float v) {
    uint u = as_uint(v);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return v;
    u += 0x7FFFu + ((u >> 16) & 1u);
    return as_float(u & 0xFFFF0000u);
}
inline float rnd(float v, int mode) {
    return mode == 0 ? v : (mode == 1 ? trunc(v) : (mode == 2 ? (v != 0.0f ? 1.0f : 0.0f) : (mode == 3 ? roundF16(v) : roundBf16(v))));
}

// NaN by its bits, never by a comparison a compiler may assume away
inline bool isNaN(float v) { return (as_uint(v) & 0x7FFFFFFFu) > 0x7F800000u; }
