// The main of a flat elementwise kernel (unary.comp, binary.comp, fused.comp), which defines float element(uint i), its
// output o[] and pc.n: ELEMS elements an invocation (GlslKernels.ELEMENTS), 256 apart, so each load of a warp is one
// contiguous run; every element's value first, so their loads are in flight together, then every store.
#ifndef ELEMS
#define ELEMS 1u
#endif
uint flatIdOf(uint u) { return groupId() * (256u * ELEMS) + u * 256u + gl_LocalInvocationID.x; }
void main() {
    float v[ELEMS];
    [[unroll]] for (uint u = 0u; u < ELEMS; u++) {
        uint i = flatIdOf(u);
        if (i < pc.n) v[u] = element(i);
    }
    [[unroll]] for (uint u = 0u; u < ELEMS; u++) {
        uint i = flatIdOf(u);
        if (i < pc.n) o[i] = v[u];
    }
}
