// Shared by every kernel: included right after #version and the kernel's #defines.
#extension GL_EXT_control_flow_attributes : enable
layout(local_size_x = 256) in;
#include "scalar.glsl"
uint flatId() { return (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 256u + gl_LocalInvocationID.x; }
uint groupId() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }
#ifndef ELEMS
#define ELEMS 1u
#endif
// The flat index of an invocation's element u (u < ELEMS) in a kernel that computes ELEMS elements an invocation: 256
// apart, so each load of a warp is one contiguous run, and ELEMS loads an invocation in flight (GlslKernels.ELEMENTS).
uint flatIdOf(uint u) { return groupId() * (256u * ELEMS) + u * 256u + gl_LocalInvocationID.x; }
