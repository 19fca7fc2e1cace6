#version 450
#include "common.glsl"
// Each output folds the R elements that map to it with the 1 << tpoBits invocations that serve it (a strided loop,
// then the butterfly of cooperative.glsl); kept and reduced axes arrive as up to four merged groups each. Defines:
// IDENTITY, COMBINE(acc, v), FINISH(acc), SUBGROUP, PROLOGUE (1: each element is computed by a fused group, Fusion,
// from its EXTERNALS operands bound from binding 1 on, instead of read). Push: nOut, R, kr, rr, kd[4], ks[4], rd[4],
// rs[4], mode, tpoBits, lo (then ea[], eb[] of the prologue). With gl_NumWorkGroups.z = S > 1 the reduction is split:
// R is each split's length, and output oi's split z goes to o[oi * S + z].
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(push_constant) uniform P { uint nOut; uint R; uint kr; uint rr; uint kd[4]; uint ks[4]; uint rd[4]; uint rs[4]; uint mode;
                                  uint tpoBits; uint lo;
#if PROLOGUE
                                  uint ea[EXTERNALS]; uint eb[EXTERNALS];
#endif
                                  } pc;
#if PROLOGUE
#include "math.glsl"
#include "fused_body.glsl"
#define ELEMENT(off) fused(off, 0.0)
#else
layout(std430, binding = 1) readonly buffer X { float xs[]; };
#define ELEMENT(off) xs[off]
#endif
#include "reduce_geometry.glsl"
#include "cooperative.glsl"
float combine(float acc, float v) { return COMBINE(acc, v); }
BUTTERFLY(total, combine)
void main() {
    uint v = slot();
    uint r0 = slotReduction(v, pc.lo, pc.tpoBits);
    uint oi = groupId() * (256u >> pc.tpoBits) + slotOutput(v, pc.lo, pc.tpoBits);
    // a split reduction (Lowering.reduceSplits): workgroup layer z folds elements [z R, (z + 1) R) of every output into
    // partial z of it, at oi * splits + z; a second pass folds the partials in order
    uint chunk = gl_WorkGroupID.z * pc.R;
    float acc = IDENTITY;
    if (oi < pc.nOut) {
        uint base = keptBase(oi);
        uint step = 1u << pc.tpoBits, r = r0;
        // four elements read before they are folded (in the same order as one at a time): four loads in flight an
        // invocation, not one, which a strided bias-gradient sum over [8192, 3072] needs to approach the memory's bandwidth
        for (; r + 3u * step < pc.R; r += 4u * step) {
            float e0 = ELEMENT(reducedOffset(base, chunk + r)), e1 = ELEMENT(reducedOffset(base, chunk + r + step));
            float e2 = ELEMENT(reducedOffset(base, chunk + r + 2u * step)), e3 = ELEMENT(reducedOffset(base, chunk + r + 3u * step));
            acc = combine(combine(combine(combine(acc, e0), e1), e2), e3);
        }
        for (; r < pc.R; r += step) acc = combine(acc, ELEMENT(reducedOffset(base, chunk + r)));
    }
    acc = total(acc, v, pc.lo, pc.tpoBits);
    if (oi < pc.nOut && r0 == 0u) o[oi * gl_NumWorkGroups.z + gl_WorkGroupID.z] = rnd(FINISH(acc), pc.mode);
}
