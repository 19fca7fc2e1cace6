// Rounding f32 values to the 16-bit bits pack_half.comp and pack_half_t.comp store. BF16 (1): bfloat16, else binary16.
#if BF16
// the bfloat16 bits of v rounded to nearest even (exact for a value that is a bfloat16); NaN stays a quiet NaN
uint bf16bits(float v) {
    uint u = floatBitsToUint(v);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (u >> 16) | 0x40u;
    return (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
}
#else
// the binary16 bits of v rounded to nearest even (exact for a value that is an f16), built from its bits so subnormals
// survive; beyond the largest f16 (65504, and ties at 65520 round up) infinity; NaN stays a quiet NaN
uint f16bits(float v) {
    uint u = floatBitsToUint(v), s = (u >> 16) & 0x8000u, a = u & 0x7FFFFFFFu;
    if (a >= 0x7F800000u) return s | 0x7C00u | (a > 0x7F800000u ? 0x200u | ((a >> 13) & 0x3FFu) : 0u);
    if (a >= 0x477FF000u) return s | 0x7C00u;
    if (a >= 0x38800000u) {
        uint r = a - 0x38000000u;
        return s | ((r + 0x0FFFu + ((r >> 13) & 1u)) >> 13);
    }
    return s | uint(roundEven(uintBitsToFloat(a) * 16777216.0));
}
#endif
