#version 450
#include "common.glsl"
// A deliberately broken kernel: line 6 uses an undeclared name (ShaderFilesTest).
layout(std430, binding = 0) writeonly buffer O { float o[]; };
void main() {
    o[flatId()] = undeclaredName;
}
