#version 450
#include "common.glsl"
// See RowGradient and LayerKernels.rowGradient: the gradient of a row-wise op, recognised in the autograd graph, in one
// pass over each row's groups of invocations (cooperative.glsl; geometry as reduce.comp's). KIND 0, softmax:
// dx = y (g - sum(g y)); KIND 1, log-softmax: dx = g - exp(y) sum(g); KIND 2, layer norm:
// dx = rsqrt(var(x) + eps) ((g - mean(g)) - y mean(g y)), the mean of x and the variance of its deviations in two
// passes as the normalisation's. Every intermediate is rounded as its node stores (MODE, built in: the nodes' dtype), so half
// graphs round as unfused ones. The sums fold in the reduction kernel's order (a strided loop, then the butterfly):
// deterministic. Bindings: o, y, x (KIND 2), then g, or with G_PROLOGUE 1 the PEXTERNALS operands of the fused group
// computing g (row_prologue.glsl, names prefixed "p"), then with EPILOGUE 1 the EXTERNALS operands of a fused group
// (Fusion) applied to dx before the store. Push: nOut, R, kr, rr, kd[4], ks[4], rd[4], rs[4], eps, mode, tpoBits, lo
// (then pea[], peb[] of the prologue, then ea[], eb[] of the epilogue).
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer Y { float ys[]; };
#if KIND == 2
layout(std430, binding = 2) readonly buffer X { float xs[]; };
#define G_BINDING 3
#else
#define G_BINDING 2
#endif
#if !G_PROLOGUE
layout(std430, binding = G_BINDING) readonly buffer G { float gs[]; };
#endif
layout(push_constant) uniform P { uint nOut; uint R; uint kr; uint rr; uint kd[4]; uint ks[4]; uint rd[4]; uint rs[4];
                                  float eps; uint mode; uint tpoBits; uint lo;
#if G_PROLOGUE
                                  uint pea[PEXTERNALS]; uint peb[PEXTERNALS];
#endif
#if EPILOGUE
                                  uint ea[EXTERNALS]; uint eb[EXTERNALS];
#endif
                                  } pc;
#if G_PROLOGUE || EPILOGUE
#include "math.glsl"
#endif
#include "row_prologue.glsl"
#include "fused_body.glsl"
#if G_PROLOGUE
#define G_AT(off) pfused(off, 0.0)
#else
#define G_AT(off) gs[off]
#endif
#if EPILOGUE
#define STORE(v, off) fused(off, v)
#else
#define STORE(v, off) (v)
#endif
#include "reduce_geometry.glsl"
#include "cooperative.glsl"
BUTTERFLY(total, coopAdd)
float stored(float v) { return rnd(v, MODE); }  // the rounding known when the kernel is built (MODE): no per-element choice
#define KEEP 8u
void main() {
    uint v = slot();
    uint r0 = slotReduction(v, pc.lo, pc.tpoBits), step = 1u << pc.tpoBits;
    uint oi = groupId() * (256u >> pc.tpoBits) + slotOutput(v, pc.lo, pc.tpoBits);
    bool live = oi < pc.nOut;
    uint base = live ? keptBase(oi) : 0u;
    float n = float(pc.R);
    // Rows of at most KEEP elements an invocation (every row up to KEEP << tpoBits long) keep their operands in
    // registers from the first pass to the last, so each is read from memory once; longer rows read them again. The
    // arithmetic and its order are the same either way (bit-identical).
    bool kept = pc.R <= (KEEP << pc.tpoBits);
    uint ov[KEEP];
#if KIND == 0
    float yv[KEEP], gv[KEEP];
    float sgy = 0.0;
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            uint k = r0 + j * step;
            if (k < pc.R) {
                ov[j] = reducedOffset(base, k);
                yv[j] = ys[ov[j]];
                gv[j] = G_AT(ov[j]);
                sgy += stored(gv[j] * yv[j]);
            }
        }
    } else if (live) for (uint k = r0; k < pc.R; k += step) {
        uint off = reducedOffset(base, k);
        sgy += stored(G_AT(off) * ys[off]);
    }
    float s = stored(total(sgy, v, pc.lo, pc.tpoBits));
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            if (r0 + j * step < pc.R) o[ov[j]] = STORE(stored(yv[j] * stored(gv[j] - s)), ov[j]);
        }
    } else if (live) for (uint k = r0; k < pc.R; k += step) {
        uint off = reducedOffset(base, k);
        o[off] = STORE(stored(ys[off] * stored(G_AT(off) - s)), off);
    }
#elif KIND == 1
    float gv[KEEP];
    float sg = 0.0;
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            uint k = r0 + j * step;
            if (k < pc.R) {
                ov[j] = reducedOffset(base, k);
                gv[j] = G_AT(ov[j]);
                sg += gv[j];
            }
        }
    } else if (live) for (uint k = r0; k < pc.R; k += step) sg += G_AT(reducedOffset(base, k));
    float s = stored(total(sg, v, pc.lo, pc.tpoBits));
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            if (r0 + j * step < pc.R) o[ov[j]] = STORE(stored(gv[j] - stored(stored(exp(ys[ov[j]])) * s)), ov[j]);
        }
    } else if (live) for (uint k = r0; k < pc.R; k += step) {
        uint off = reducedOffset(base, k);
        o[off] = STORE(stored(G_AT(off) - stored(stored(exp(ys[off])) * s)), off);
    }
#else
    float xv[KEEP], yv[KEEP], gv[KEEP];
    float sx = 0.0, sg = 0.0, sgy = 0.0;
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            uint k = r0 + j * step;
            if (k < pc.R) {
                ov[j] = reducedOffset(base, k);
                xv[j] = xs[ov[j]];
                yv[j] = ys[ov[j]];
                gv[j] = G_AT(ov[j]);
                sx += xv[j];
                sg += gv[j];
                sgy += stored(gv[j] * yv[j]);
            }
        }
    } else if (live) for (uint k = r0; k < pc.R; k += step) {
        uint off = reducedOffset(base, k);
        float g = G_AT(off);
        sx += xs[off];
        sg += g;
        sgy += stored(g * ys[off]);
    }
    float mean = stored(total(sx, v, pc.lo, pc.tpoBits) / n);
    float mg = stored(total(sg, v, pc.lo, pc.tpoBits) / n);
    float mgy = stored(total(sgy, v, pc.lo, pc.tpoBits) / n);
    float acc = 0.0;
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            if (r0 + j * step < pc.R) {
                float c = stored(xv[j] - mean);
                acc += stored(c * c);
            }
        }
    } else if (live) for (uint k = r0; k < pc.R; k += step) {
        float c = stored(xs[reducedOffset(base, k)] - mean);
        acc += stored(c * c);
    }
    float rstd = stored(1.0 / sqrt(stored(stored(total(acc, v, pc.lo, pc.tpoBits) / n) + pc.eps)));
    if (live && kept) {
        [[unroll]] for (uint j = 0u; j < KEEP; j++) {
            if (r0 + j * step < pc.R) o[ov[j]] = STORE(stored(rstd * stored(stored(gv[j] - mg) - stored(yv[j] * mgy))), ov[j]);
        }
    } else if (live) for (uint k = r0; k < pc.R; k += step) {
        uint off = reducedOffset(base, k);
        o[off] = STORE(stored(rstd * stored(stored(G_AT(off) - mg) - stored(ys[off] * mgy))), off);
    }
#endif
}
