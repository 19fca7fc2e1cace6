#version 450
#include "common.glsl"
#include "math.glsl"
// A fused group of elementwise nodes (Fusion): o[i] = fused(i), where fused_body.glsl (generated per group) reads
// the EXTERNALS operands from binding 1 on as e_k[(i / ea[k]) % eb[k]]. Push: n, ea[EXTERNALS], eb[EXTERNALS].
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(push_constant) uniform P { uint n; uint ea[EXTERNALS]; uint eb[EXTERNALS]; } pc;
#include "fused_body.glsl"
float element(uint i) { return fused(i, 0.0); }
#include "flat_elements.glsl"
