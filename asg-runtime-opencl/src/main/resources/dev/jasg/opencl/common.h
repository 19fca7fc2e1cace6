// Shared helpers, prepended to every program (not a program of its own, so not a .cl file).
// Every tensor is stored as 32-bit float; integer and boolean results are rounded on store:
// mode 0 keeps the float, 1 truncates toward zero, 2 maps to x != 0 (NaN counts as nonzero).
// Every buffer argument of a kernel is followed by its offset in elements (a ulong), and the kernel first moves the
// pointer by it (`x += xOff;`): a plan's tensors are ranges of one arena buffer, bound as (buffer, offset) pairs and
// never as sub-buffers (with those the op table crashed NVIDIA's driver in clReleaseMemObject); separate buffers
// (parameters, side tables) come with offset 0.
#define GROUP 256
#define MAX_RANK 6
#define MAX_GROUPS 4

inline float rnd(float v, int mode) { return mode == 0 ? v : (mode == 1 ? trunc(v) : (v != 0.0f ? 1.0f : 0.0f)); }

// NaN by its bits, never by a comparison a compiler may assume away
inline bool isNaN(float v) { return (as_uint(v) & 0x7FFFFFFFu) > 0x7F800000u; }
