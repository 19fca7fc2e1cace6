// The convolution geometry's push-constant fields (ConvKernels.geometry), in order.
#define GEOMETRY int C; int H; int W; int O; int Ho; int Wo; int Cg; int kh; int kw; int sh; int sw; int pt; int pl; int dh; int dw;
