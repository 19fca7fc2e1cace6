#version 450
#include "common.glsl"
// See LayerKernels.dropoutMask.
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
