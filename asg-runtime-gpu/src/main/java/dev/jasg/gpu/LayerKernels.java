package dev.jasg.gpu;

/**
 * GLSL sources of the layer primitives: gather (the embedding lookup), scatter-add (its
 * adjoint), the dropout mask and normalisation. Indices arrive as floats holding exact
 * integers, like every I32 tensor on this backend.
 *
 * <p>Out-of-range indices cannot raise an error from a shader, so the kernels never read or
 * write outside their buffers instead: gather writes 0 for the row of an index outside
 * {@code [0, V)}, and scatter-add ignores such an index (its updates go nowhere). The host
 * backends (reference, CPU) throw for them.
 */
final class LayerKernels {
    private LayerKernels() {}

    /**
     * One invocation per output element {@code i = n*D + j}: {@code o[i] = table[idx[n]*D + j]},
     * 0 when {@code idx[n]} is outside {@code [0, V)}. Push: count, D, V, mode.
     */
    static Kernel gather() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer O { float o[]; };
                layout(std430, binding = 1) readonly buffer T { float table[]; };
                layout(std430, binding = 2) readonly buffer I { float idx[]; };
                layout(push_constant) uniform P { uint count; uint d; uint v; uint mode; } pc;
                void main() {
                    uint i = flatId();
                    if (i >= pc.count) return;
                    uint n = i / pc.d, j = i - n * pc.d;
                    float k = idx[n];
                    o[i] = k >= 0.0 && k < float(pc.v) ? rnd(table[uint(k) * pc.d + j], pc.mode) : 0.0;
                }
                """;
        return new Kernel("gather", src, 3);
    }

    /**
     * Deterministic scatter-add without atomics: one invocation per output element
     * {@code (s, j)} walks all {@code N} indices in order and sums {@code upd[n*D + j]} where
     * {@code idx[n] == s}, so repeated indices always add in the same order and no float
     * atomics are needed. The cost is {@code size * D * N} index reads (every output element
     * scans every index), against {@code N * D} for an atomic version: cheap for the op table
     * and moderate vocabularies, the first thing to replace (by a sort of the indices) for
     * large vocabularies. Out-of-range indices match no row. Push: count (= size*D), D, N, mode.
     */
    static Kernel scatterAdd() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer O { float o[]; };
                layout(std430, binding = 1) readonly buffer U { float upd[]; };
                layout(std430, binding = 2) readonly buffer I { float idx[]; };
                layout(push_constant) uniform P { uint count; uint d; uint n; uint mode; } pc;
                void main() {
                    uint i = flatId();
                    if (i >= pc.count) return;
                    uint s = i / pc.d, j = i - s * pc.d;
                    float row = float(s);
                    float acc = 0.0;
                    for (uint k = 0u; k < pc.n; k++) {
                        if (idx[k] == row) acc += upd[k * pc.d + j];
                    }
                    o[i] = rnd(acc, pc.mode);
                }
                """;
        return new Kernel("scatter_add", src, 3);
    }

    /**
     * {@code o[i] = bits24(key, i) >= threshold ? scale : 0} with
     * {@code key = fmix32(seed * 0x9E3779B9 + saltMix)}: an exact port of
     * {@link dev.jasg.core.Op.DropoutMask} (32-bit unsigned arithmetic wraps as Java's int
     * does, and {@code >>} on uint is Java's {@code >>>}), so the mask is bit-identical to the
     * reference's. Push: count, saltMix, threshold, scale (float bits).
     */
    static Kernel dropoutMask() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer O { float o[]; };
                layout(std430, binding = 1) readonly buffer S { float seed[]; };
                layout(push_constant) uniform P { uint count; uint saltMix; uint threshold; float scale; } pc;
                uint fmix32(uint h) {
                    h ^= h >> 16;
                    h *= 0x85EBCA6Bu;
                    h ^= h >> 13;
                    h *= 0xC2B2AE35u;
                    h ^= h >> 16;
                    return h;
                }
                void main() {
                    uint i = flatId();
                    if (i >= pc.count) return;
                    uint key = fmix32(uint(int(seed[0])) * 0x9E3779B9u + pc.saltMix);
                    uint bits = fmix32(fmix32(i * 0x9E3779B9u + key) + key) >> 8;
                    o[i] = bits >= pc.threshold ? pc.scale : 0.0;
                }
                """;
        return new Kernel("dropout_mask", src, 2);
    }

    /**
     * One workgroup per group of elements sharing the kept indices (geometry as the
     * reduction's: up to four merged kept and reduced axis groups): the mean by a strided
     * loop and a shared-memory tree, then the biased variance of the deviations the same way
     * (two passes, no cancellation), then {@code (x - mean) / sqrt(var + eps)} written at the
     * same offsets. Push: nOut, R, kr, rr, kd[4], ks[4], rd[4], rs[4], eps, mode.
     */
    static Kernel normalize() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer O { float o[]; };
                layout(std430, binding = 1) readonly buffer X { float xs[]; };
                layout(push_constant) uniform P { uint nOut; uint R; uint kr; uint rr; uint kd[4]; uint ks[4]; uint rd[4]; uint rs[4];
                                                  float eps; uint mode; } pc;
                shared float part[256];
                uint offsetOf(uint base, uint r) {
                    uint off = base, u = r;
                    for (int k = int(pc.rr) - 1; k >= 0; k--) {
                        uint c = u % pc.rd[k];
                        u /= pc.rd[k];
                        off += c * pc.rs[k];
                    }
                    return off;
                }
                float total(float acc, uint lid) {
                    part[lid] = acc;
                    barrier();
                    for (uint s = 128u; s > 0u; s >>= 1) {
                        if (lid < s) part[lid] += part[lid + s];
                        barrier();
                    }
                    float t = part[0];
                    barrier();
                    return t;
                }
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
                    float acc = 0.0;
                    for (uint r = lid; r < pc.R; r += 256u) acc += xs[offsetOf(base, r)];
                    float mean = total(acc, lid) / float(pc.R);
                    acc = 0.0;
                    for (uint r = lid; r < pc.R; r += 256u) {
                        float c = xs[offsetOf(base, r)] - mean;
                        acc += c * c;
                    }
                    float rstd = 1.0 / sqrt(total(acc, lid) / float(pc.R) + pc.eps);
                    for (uint r = lid; r < pc.R; r += 256u) {
                        uint off = offsetOf(base, r);
                        o[off] = rnd((xs[off] - mean) * rstd, pc.mode);
                    }
                }
                """;
        return new Kernel("normalize", src, 2);
    }
}
