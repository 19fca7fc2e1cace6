// Cooperative reductions: a workgroup of 256 invocations serves 256 >> TPO_BITS outputs, 1 << TPO_BITS invocations
// each (push constants tpoBits and lo). Invocation slot v in [0, 256) holds output bits and reduction bits; the
// reduction bits are [lo, lo + tpoBits): lo 0 ("row" layout: the invocations of one output are adjacent, for a
// contiguous reduced axis) or 8 - tpoBits ("column" layout: adjacent invocations serve adjacent outputs, for a
// strided one). BUTTERFLY combines the values of one output's invocations by an xor butterfly, lowest distance
// first: subgroup shuffles while the distance is within a subgroup (SUBGROUP 1), shared memory past it. Every
// invocation ends with the total, in an order fixed by the layout alone, so two runs and two subgroup sizes agree
// bit for bit. Every invocation must reach BUTTERFLY (barriers): out-of-range outputs combine identities.
#if SUBGROUP
#extension GL_KHR_shader_subgroup_basic : enable
#extension GL_KHR_shader_subgroup_shuffle : enable
#endif
shared float coop[256];
// True when subgroups tile the workgroup in order (full subgroups), so that slot() pairs shuffle partners.
bool subgroupSlots() {
#if SUBGROUP
    return gl_NumSubgroups * gl_SubgroupSize == 256u;
#else
    return false;
#endif
}
uint slot() {
#if SUBGROUP
    if (subgroupSlots()) return gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
#endif
    return gl_LocalInvocationID.x;
}
uint slotReduction(uint v, uint lo, uint bits) { return (v >> lo) & ((1u << bits) - 1u); }
uint slotOutput(uint v, uint lo, uint bits) { return (v & ((1u << lo) - 1u)) | ((v >> (lo + bits)) << lo); }
#if SUBGROUP
#define COOP_SHUFFLE(acc, d) (subgroupSlots() && (d) < gl_SubgroupSize)
#define COOP_XOR(acc, d) subgroupShuffleXor(acc, d)
#else
#define COOP_SHUFFLE(acc, d) false
#define COOP_XOR(acc, d) (acc)
#endif
#define BUTTERFLY(NAME, COMBINE) \
float NAME(float acc, uint v, uint lo, uint bits) { \
    for (uint s = 1u; s < (1u << bits); s <<= 1) { \
        uint d = s << lo; \
        if (COOP_SHUFFLE(acc, d)) { \
            acc = COMBINE(acc, COOP_XOR(acc, d)); \
        } else { \
            coop[v] = acc; \
            barrier(); \
            acc = COMBINE(acc, coop[v ^ d]); \
            barrier(); \
        } \
    } \
    return acc; \
}
float coopAdd(float a, float b) { return a + b; }
// NaN-propagating max and min (GLSL leaves max(NaN, x) undefined)
float coopMax(float a, float b) { return isNaN(a) ? a : (isNaN(b) || b > a ? b : a); }
float coopMin(float a, float b) { return isNaN(a) ? a : (isNaN(b) || b < a ? b : a); }
