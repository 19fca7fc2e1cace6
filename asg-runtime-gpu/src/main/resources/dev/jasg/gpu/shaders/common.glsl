// Shared by every kernel: included right after #version and the kernel's #defines.
#extension GL_EXT_control_flow_attributes : enable
layout(local_size_x = 256) in;
#define INF uintBitsToFloat(0x7F800000u)
#define NAN uintBitsToFloat(0x7FC00000u)
uint flatId() { return (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 256u + gl_LocalInvocationID.x; }
uint groupId() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }
// NaN by its bits, never by a float comparison a compiler may assume away
bool isNaN(float v) { return (floatBitsToUint(v) & 0x7FFFFFFFu) > 0x7F800000u; }
float rnd(float v, uint mode) { return mode == 0u ? v : (mode == 1u ? trunc(v) : (v != 0.0 ? 1.0 : 0.0)); }
