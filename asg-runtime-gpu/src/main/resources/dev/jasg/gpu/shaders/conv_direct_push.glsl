#include "conv_geometry.glsl"
// Push constants of every direct convolution kernel: count, mode, Og, N, G, iStep, jStep, then the geometry.
layout(push_constant) uniform P { int count; uint mode; int Og; int N; int G; int iStep; int jStep; GEOMETRY } pc;
