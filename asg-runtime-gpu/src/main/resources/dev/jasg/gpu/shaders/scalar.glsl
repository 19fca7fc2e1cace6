// Scalar helpers of every kernel, the tiled ones included: infinities, NaN by its bits, the store rounding.
#define INF uintBitsToFloat(0x7F800000u)
#define NAN uintBitsToFloat(0x7FC00000u)
// NaN by its bits, never by a float comparison a compiler may assume away
bool isNaN(float v) { return (floatBitsToUint(v) & 0x7FFFFFFFu) > 0x7F800000u; }
float rnd(float v, uint mode) { return mode == 0u ? v : (mode == 1u ? trunc(v) : (v != 0.0 ? 1.0 : 0.0)); }
