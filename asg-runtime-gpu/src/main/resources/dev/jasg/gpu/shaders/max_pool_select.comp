#version 450
#include "common.glsl"
// y[plane, p, q] = u[plane, argmax], one invocation per output. Push: count, mode, H, W, Ho, Wo, win[10].
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer U { float u[]; };
layout(push_constant) uniform P { int count; uint mode; int H; int W; int Ho; int Wo; int win[10]; } pc;
#include "pool_window.glsl"
#define ARGMAX_NAME argmax
#define ARGMAX_PARAMS int base
#define ARGMAX_READ x[base + r * pc.W + c]
#include "pool_argmax.glsl"
#undef ARGMAX_NAME
#undef ARGMAX_PARAMS
#undef ARGMAX_READ
void main() {
    uint id = flatId();
    if (id >= uint(pc.count)) return;
    int e = int(id);
    int q = e % pc.Wo, t = e / pc.Wo, p = t % pc.Ho, plane = t / pc.Ho;
    int base = plane * pc.H * pc.W;
    int k = argmax(base, p, q);
    y[id] = rnd(k < 0 ? -INF : u[base + k], pc.mode);
}
