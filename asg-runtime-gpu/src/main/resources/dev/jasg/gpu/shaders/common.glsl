// Shared by every kernel: included right after #version and the kernel's #defines.
#extension GL_EXT_control_flow_attributes : enable
layout(local_size_x = 256) in;
#include "scalar.glsl"
uint flatId() { return (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 256u + gl_LocalInvocationID.x; }
uint groupId() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }
