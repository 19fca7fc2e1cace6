// Scalar helpers of every kernel, the tiled ones included: infinities, NaN by its bits, the store rounding.
#define INF uintBitsToFloat(0x7F800000u)
#define NAN uintBitsToFloat(0x7FC00000u)
// NaN by its bits, never by a float comparison a compiler may assume away
bool isNaN(float v) { return (floatBitsToUint(v) & 0x7FFFFFFFu) > 0x7F800000u; }
// v rounded to the nearest binary16 value, ties to even, on the bits (no packHalf2x16: its rounding is
// the implementation's): NaN and infinities pass, |v| >= 65520 overflows, |v| < 2^-14 goes to the 2^-24 grid
float roundF16(float v) {
    uint u = floatBitsToUint(v), a = u & 0x7FFFFFFFu, s = u & 0x80000000u;
    if (a >= 0x7F800000u) return v;
    if (a >= 0x477FF000u) return uintBitsToFloat(s | 0x7F800000u);
    if (a < 0x38800000u) return uintBitsToFloat(s | floatBitsToUint(roundEven(uintBitsToFloat(a) * 16777216.0) * 5.9604644775390625e-8));
    a += 0x0FFFu + ((a >> 13) & 1u);
    return uintBitsToFloat(s | (a & 0xFFFFE000u));
}
// v rounded to the nearest bfloat16 value, ties to even (NaN passes; the carry reaches infinity on overflow)
float roundBf16(float v) {
    uint u = floatBitsToUint(v);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return v;
    u += 0x7FFFu + ((u >> 16) & 1u);
    return uintBitsToFloat(u & 0xFFFF0000u);
}
// what a node of the kernel's dtype stores: 0 f32, 1 integer (truncated), 2 bool, 3 f16, 4 bf16
float rnd(float v, uint mode) {
    return mode == 0u ? v : (mode == 1u ? trunc(v) : (mode == 2u ? (v != 0.0 ? 1.0 : 0.0) : (mode == 3u ? roundF16(v) : roundBf16(v))));
}
