// Kernels that walk one axis per invocation (arg-max, softmax, scans): push lanes, len, inner; lane i reads
// len elements inner apart from laneBase(i).
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(std430, binding = 1) readonly buffer X { float xs[]; };
layout(push_constant) uniform P { uint lanes; uint len; uint inner; } pc;
#include "lane_base.glsl"
