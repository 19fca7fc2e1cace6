#version 450
#include "common.glsl"
// See LayerKernels.normalize: per output group, the mean, then the biased variance of the deviations (two passes, no
// cancellation), then (x - mean) / sqrt(var + eps) at the same offsets; the invocations of a group cooperate as in
// reduce.comp; EPILOGUE 1: a fused group (Fusion) applied to each value before the store, its EXTERNALS operands bound
// from binding 2 on. Push: nOut, R, kr, rr, kd[4], ks[4], rd[4], rs[4], eps, mode, tpoBits, lo (then ea[], eb[]).
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
layout(push_constant) uniform P { uint nOut; uint R; uint kr; uint rr; uint kd[4]; uint ks[4]; uint rd[4]; uint rs[4];
                                  float eps; uint mode; uint tpoBits; uint lo;
#if EPILOGUE
                                  uint ea[EXTERNALS]; uint eb[EXTERNALS];
#endif
                                  } pc;
#if EPILOGUE
#include "math.glsl"
#include "fused_body.glsl"
#define STORE(v, off) fused(off, v)
#else
#define STORE(v, off) rnd(v, pc.mode)
#endif
#include "reduce_geometry.glsl"
#include "cooperative.glsl"
BUTTERFLY(total, coopAdd)
void main() {
    uint v = slot();
    uint r0 = slotReduction(v, pc.lo, pc.tpoBits), step = 1u << pc.tpoBits;
    uint oi = groupId() * (256u >> pc.tpoBits) + slotOutput(v, pc.lo, pc.tpoBits);
    bool live = oi < pc.nOut;
    uint base = live ? keptBase(oi) : 0u;
    float acc = 0.0;
    if (live) for (uint r = r0; r < pc.R; r += step) acc += xs[reducedOffset(base, r)];
    float mean = total(acc, v, pc.lo, pc.tpoBits) / float(pc.R);
    acc = 0.0;
    if (live) {
        for (uint r = r0; r < pc.R; r += step) {
            float c = xs[reducedOffset(base, r)] - mean;
            acc += c * c;
        }
    }
    float rstd = 1.0 / sqrt(total(acc, v, pc.lo, pc.tpoBits) / float(pc.R) + pc.eps);
    if (live) {
        for (uint r = r0; r < pc.R; r += step) {
            uint off = reducedOffset(base, r);
            o[off] = STORE((xs[off] - mean) * rstd, off);
        }
    }
}
