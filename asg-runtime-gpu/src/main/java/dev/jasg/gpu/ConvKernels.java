package dev.jasg.gpu;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.PoolWindow;
import java.util.Locale;

/**
 * GLSL kernels of the convolution and max-pooling primitives on NCHW tensors, and the push
 * constants that describe one launch.
 *
 * <p><b>Convolutions as implicit matrix products.</b> Per group {@code g}, each of the three
 * convolution ops is a product {@code C[m, col] = sum_k A[m, k] B[k, col]} whose operands are
 * never materialised: the kernel computes the address of {@code A[m, k]} and {@code B[k, col]}
 * from the geometry when it loads a tile (zero in the padding).
 * <ul>
 *   <li>conv2d: {@code y[n, gOg+m, p, q] = sum_{(c,i,j)} w[gOg+m, c, i, j] x[n, gCg+c, p sh - pt + i dh, q sw - pl + j dw]}:
 *       {@code M = Og}, {@code K = Cg kh kw}, columns {@code (n, p, q)}.</li>
 *   <li>conv_transpose2d, in gather form: {@code y[n, gCog+m, r, s] = sum_{(c,i,j)} w[gCig+c, m, i, j] x[n, gCig+c, (r + pt - i dh)/sh, (s + pl - j dw)/sw]},
 *       a term only where both divisions are exact and land inside the input: {@code M = Cout/groups},
 *       {@code K = Cig kh kw}, columns {@code (n, r, s)}.</li>
 *   <li>conv2d weight gradient: {@code dw[gOg+m, c, i, j] = sum_{(n,p,q)} g[n, gOg+m, p, q] x[n, gCg+c, p sh - pt + i dh, q sw - pl + j dw]}
 *       over the gradient's {@code gh x gw} positions: {@code M = Og}, columns {@code (c, i, j)},
 *       {@code K = N gh gw}. One workgroup owns one output tile and walks the whole reduction, so the
 *       sum needs neither atomics nor a second pass and is deterministic.</li>
 * </ul>
 * The tiled kernel is the register-blocked scheme of {@link MatMulKernel}: 256 invocations
 * compute a {@code BM x BN} tile, {@code TM x TN} accumulators each (rows
 * {@code ty*4 + i%4 + (i/4)*64}, so shared-memory reads are 16-byte vectors), with {@code BK}-deep
 * tiles of A (stored k-major) and B in shared memory and the next step's tiles prefetched into
 * registers while the current one is multiplied. Each invocation loads the same B column at
 * every step, so its column's decomposition into {@code (n, p, q)} (or {@code (c, i, j)}) is
 * computed once. Operands too thin for a tile (depthwise and few-channel convolutions:
 * {@code M} or {@code K} below {@link #MIN_GEMM}) use direct kernels: one invocation per output
 * element for the forward ops, one workgroup per weight-gradient element with a tree sum.
 *
 * <p><b>Max pooling.</b> Both pooling kernels describe a window axis by the closed form
 * {@code start(o) = floor((o A + B) / D)}, {@code taps(o) = floor((o A + E) / D) - start(o)},
 * tap {@code t} at {@code start(o) + t step}, which covers fixed windows ({@code A = stride,
 * B = -pad, D = 1, E = kernel - pad}) and adaptive ones ({@code A = n, B = 0, D = out,
 * E = n + out - 1}); {@link #windowAxis} checks it against {@link PoolWindow#start} and
 * {@link PoolWindow#taps} for every output position, so the shader agrees with the host's
 * windows by construction. (Per-position tables would not fit the 128 bytes of push constants,
 * and a plan has no side buffers.) The selection scans its window as the reference does
 * (first tap inside the input, replaced by any larger or NaN tap). The scatter is the gather
 * form of the adjoint: each input element walks the windows that can contain it
 * ({@code o <= floor(((r+1) D - B - 1) / A)} downwards while the window still reaches
 * {@code r}), recomputes each window's arg-max and sums the gradients of those whose arg-max it
 * is.
 *
 * <p>Every kernel rounds what it stores with the node's {@code mode} (see {@link Lowering#mode}).
 */
final class ConvKernels {
    /** Below this many rows ({@code M}) or reduction terms ({@code K}) a tile would be mostly padding: direct kernels instead. */
    static final int MIN_GEMM = 16;

    /** Which convolution a kernel computes. */
    enum Conv {
        FORWARD("conv2d"), TRANSPOSED("conv_transpose2d"), WEIGHT_GRAD("conv2d_weight_grad");

        final String label;

        Conv(String label) {
            this.label = label;
        }
    }

    /** A tile configuration: {@code BM x BN} outputs, {@code BK} deep, {@code TM x TN} per invocation ({@code BM = 16 TM}, {@code BN = 16 TN}). */
    record Tiles(int bm, int bn, int bk, int tm, int tn) {}

    private ConvKernels() {}

    /** The tile for an {@code m x n} output: 128 wide or tall where the operand has that much, shrunk while fewer than {@code minGroups} tiles. */
    static Tiles tiles(int m, int n, long batches, int maxSharedBytes, int minGroups) {
        int bm = m >= 128 ? 128 : 64, bn = n >= 128 ? 128 : 64;
        // Big tiles reuse more, but a big GPU wants a few workgroups per multiprocessor.
        while ((bm > 64 || bn > 64) && ceil(m, bm) * ceil(n, bn) * batches < minGroups) {
            if (bn >= bm) bn = 64;
            else bm = 64;
        }
        int bk = 32;
        // Half the shared memory at most, as MatMulKernel, leaving room for a second resident workgroup.
        while (bk > 8 && (bm + bn) * bk * 4 > maxSharedBytes / 2) bk /= 2;
        return new Tiles(bm, bn, bk, bm / 16, bn / 16);
    }

    static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    // ---- convolution push constants ------------------------------------------------------

    /**
     * The geometry push constants shared by every convolution kernel (15 ints after the
     * kernel's own prefix): image side {@code C, H, W} (the input of conv2d and of the weight
     * gradient, the input of the transposed convolution), column side {@code O, Ho, Wo} (the
     * output channels and spatial size of conv2d and of the transposed convolution; the
     * gradient's channels and {@code gh x gw} for the weight gradient), {@code Cg} (image-side
     * channels per group), kernel {@code kh, kw}, strides, top/left padding, dilations.
     */
    static int[] geometry(int c, int h, int w, int o, int ho, int wo, int cg, int kh, int kw, ConvGeometry g) {
        return new int[] {c, h, w, o, ho, wo, cg, kh, kw, g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.dilationH(), g.dilationW()};
    }

    private static final String GEOMETRY_FIELDS =
            "int C; int H; int W; int O; int Ho; int Wo; int Cg; int kh; int kw; int sh; int sw; int pt; int pl; int dh; int dw;";

    // ---- tiled implicit GEMM -------------------------------------------------------------

    /**
     * The tiled kernel of {@code conv}. Push: M, NC (columns), K, tilesN, tilesM, total
     * workgroups, mode, then {@link #geometry}. Bindings: out, image-side input x, then the
     * weight (forward, transposed) or the output gradient (weight gradient).
     */
    static Kernel gemm(Conv conv, Tiles t) {
        String name = String.format(Locale.ROOT, "%s_gemm_%dx%dx%d", conv.label, t.bm(), t.bn(), t.bk());
        String defs = String.format(Locale.ROOT, "#define BM %d\n#define BN %d\n#define BK %d\n#define TM %d\n#define TN %d\n",
                t.bm(), t.bn(), t.bk(), t.tm(), t.tn());
        String ops = switch (conv) {
            case FORWARD -> FORWARD_OPERANDS;
            case TRANSPOSED -> TRANSPOSED_OPERANDS;
            case WEIGHT_GRAD -> WEIGHT_GRAD_OPERANDS;
        };
        return new Kernel(name, GEMM.replace("//DEFS\n", defs).replace("//OPERANDS\n", ops), 3);
    }

    /*
     * Each operand block defines, for group grp: loadA(m, k) (the second input), setupB(col)
     * (once per invocation: its B column's decomposition) and loadB(k) (the image-side input x
     * at that column), and outBase(col)/OUT_ROW: C[m, col] is stored at outBase(col) + m OUT_ROW.
     */
    private static final String FORWARD_OPERANDS = """
            float loadA(int m, int k) { return in1[(grp * pc.M + m) * pc.K + k]; }
            int bX, bR, bS;
            void setupB(int col) {
                int q = col % pc.Wo, t = col / pc.Wo, p = t % pc.Ho, n = t / pc.Ho;
                bX = (n * pc.C + grp * pc.Cg) * pc.H * pc.W;
                bR = p * pc.sh - pc.pt;
                bS = q * pc.sw - pc.pl;
            }
            float loadB(int k) {
                int j = k % pc.kw, t = k / pc.kw, i = t % pc.kh, c = t / pc.kh;
                int r = bR + i * pc.dh, s = bS + j * pc.dw;
                return (r >= 0 && r < pc.H && s >= 0 && s < pc.W) ? in0[bX + (c * pc.H + r) * pc.W + s] : 0.0;
            }
            int outBase(int col) {
                int hw = pc.Ho * pc.Wo, n = col / hw;
                return (n * pc.O + grp * pc.M) * hw + (col - n * hw);
            }
            #define OUT_ROW (pc.Ho * pc.Wo)
            """;

    private static final String TRANSPOSED_OPERANDS = """
            float loadA(int m, int k) {
                int khw = pc.kh * pc.kw, c = k / khw;
                return in1[((grp * pc.Cg + c) * pc.M + m) * khw + (k - c * khw)];
            }
            int bX, bR, bS;
            void setupB(int col) {
                int s = col % pc.Wo, t = col / pc.Wo, r = t % pc.Ho, n = t / pc.Ho;
                bX = (n * pc.C + grp * pc.Cg) * pc.H * pc.W;
                bR = r + pc.pt;
                bS = s + pc.pl;
            }
            float loadB(int k) {
                int j = k % pc.kw, t = k / pc.kw, i = t % pc.kh, c = t / pc.kh;
                int pn = bR - i * pc.dh, qn = bS - j * pc.dw;
                if (pn < 0 || qn < 0) return 0.0;
                int p = pn / pc.sh, q = qn / pc.sw;
                if (p * pc.sh != pn || q * pc.sw != qn || p >= pc.H || q >= pc.W) return 0.0;
                return in0[bX + (c * pc.H + p) * pc.W + q];
            }
            int outBase(int col) {
                int hw = pc.Ho * pc.Wo, n = col / hw;
                return (n * pc.O + grp * pc.M) * hw + (col - n * hw);
            }
            #define OUT_ROW (pc.Ho * pc.Wo)
            """;

    private static final String WEIGHT_GRAD_OPERANDS = """
            float loadA(int m, int k) {
                int ghw = pc.Ho * pc.Wo, n = k / ghw;
                return in1[(n * pc.O + grp * pc.M + m) * ghw + (k - n * ghw)];
            }
            int bX, bR, bS;
            void setupB(int col) {
                int j = col % pc.kw, t = col / pc.kw, i = t % pc.kh, c = t / pc.kh;
                bX = (grp * pc.Cg + c) * pc.H * pc.W;
                bR = i * pc.dh - pc.pt;
                bS = j * pc.dw - pc.pl;
            }
            float loadB(int k) {
                int ghw = pc.Ho * pc.Wo, n = k / ghw, pq = k - n * ghw, p = pq / pc.Wo, q = pq - p * pc.Wo;
                int r = p * pc.sh + bR, s = q * pc.sw + bS;
                return (r >= 0 && r < pc.H && s >= 0 && s < pc.W) ? in0[n * pc.C * pc.H * pc.W + bX + r * pc.W + s] : 0.0;
            }
            int outBase(int col) { return grp * pc.M * pc.NC + col; }
            #define OUT_ROW (pc.NC)
            """;

    private static final String GEMM = """
            #version 450
            #extension GL_EXT_control_flow_attributes : enable
            //DEFS
            #define GM (TM / 4)
            #define GN (TN / 4)
            #define LA (BM * BK / 256)
            #define LB (BN * BK / 256)
            layout(local_size_x = 256) in;
            layout(std430, binding = 0) writeonly buffer Y { float y[]; };
            layout(std430, binding = 1) readonly buffer I0 { float in0[]; };
            layout(std430, binding = 2) readonly buffer I1 { float in1[]; };
            layout(push_constant) uniform P { int M; int NC; int K; int tilesN; int tilesM; int total; uint mode; GEOMETRY } pc;
            shared vec4 As[BK * BM / 4];
            shared vec4 Bs[BK * BN / 4];
            int grp;

            float rnd(float v) { return pc.mode == 0u ? v : (pc.mode == 1u ? trunc(v) : (v != 0.0 ? 1.0 : 0.0)); }

            //OPERANDS
            void main() {
                int wg = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
                if (wg >= pc.total) return;
                int tn = wg % pc.tilesN, rest = wg / pc.tilesN, tm = rest % pc.tilesM;
                grp = rest / pc.tilesM;
                int m0 = tm * BM, n0 = tn * BN;
                int M = pc.M, NC = pc.NC, K = pc.K;
                int tid = int(gl_LocalInvocationID.x), tx = tid % 16, ty = tid / 16;
                // This invocation always loads A at k offset tid % BK and B at column tid % BN.
                int ak = tid % BK, bc = tid % BN, bcol = n0 + bc;
                bool bok = bcol < NC;
                if (bok) setupB(bcol);

                vec4 acc[TM][GN];
                [[unroll]] for (int i = 0; i < TM; i++) [[unroll]] for (int j = 0; j < GN; j++) acc[i][j] = vec4(0.0);
                float ra[LA];
                float rb[LB];
                int steps = (K + BK - 1) / BK;

                #define LOAD(k0) { \\
                    int gk = (k0) + ak; \\
                    [[unroll]] for (int l = 0; l < LA; l++) { \\
                        int gr = m0 + tid / BK + l * (256 / BK); \\
                        ra[l] = (gr < M && gk < K) ? loadA(gr, gk) : 0.0; \\
                    } \\
                    [[unroll]] for (int l = 0; l < LB; l++) { \\
                        int kb = (k0) + tid / BN + l * (256 / BN); \\
                        rb[l] = (bok && kb < K) ? loadB(kb) : 0.0; \\
                    } }
                LOAD(0)
                for (int s = 0; s < steps; s++) {
                    [[unroll]] for (int l = 0; l < LA; l++) {
                        int at = ak * BM + tid / BK + l * (256 / BK);
                        As[at / 4][at % 4] = ra[l];
                    }
                    [[unroll]] for (int l = 0; l < LB; l++) {
                        int at = (tid / BN + l * (256 / BN)) * BN + bc;
                        Bs[at / 4][at % 4] = rb[l];
                    }
                    barrier();
                    if (s + 1 < steps) LOAD((s + 1) * BK)
                    [[unroll]] for (int k = 0; k < BK; k++) {
                        vec4 av[GM];
                        vec4 bv[GN];
                        [[unroll]] for (int g = 0; g < GM; g++) av[g] = As[k * (BM / 4) + g * 16 + ty];
                        [[unroll]] for (int g = 0; g < GN; g++) bv[g] = Bs[k * (BN / 4) + g * 16 + tx];
                        [[unroll]] for (int i = 0; i < TM; i++) {
                            float a = av[i / 4][i % 4];
                            [[unroll]] for (int j = 0; j < GN; j++) acc[i][j] = fma(vec4(a), bv[j], acc[i][j]);
                        }
                    }
                    barrier();
                }

                [[unroll]] for (int j = 0; j < TN; j++) {
                    int col = n0 + (j / 4) * 64 + tx * 4 + j % 4;
                    if (col >= NC) continue;
                    int base = outBase(col);
                    [[unroll]] for (int i = 0; i < TM; i++) {
                        int r = m0 + ty * 4 + i % 4 + (i / 4) * 64;
                        if (r < M) y[base + r * OUT_ROW] = rnd(acc[i][j / 4][j % 4]);
                    }
                }
            }
            """.replace("GEOMETRY", GEOMETRY_FIELDS);

    // ---- direct convolution kernels ------------------------------------------------------

    /**
     * Direct conv2d, one invocation per output element (for thin operands). Push (as every
     * direct kernel's): count, mode, Og (column-side channels per group), N, then {@link #geometry}.
     */
    static Kernel conv2dDirect() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer Y { float y[]; };
                layout(std430, binding = 1) readonly buffer X { float x[]; };
                layout(std430, binding = 2) readonly buffer Wt { float w[]; };
                layout(push_constant) uniform P { int count; uint mode; int Og; int N; GEOMETRY } pc;
                void main() {
                    uint id = flatId();
                    if (id >= uint(pc.count)) return;
                    int e = int(id);
                    int q = e % pc.Wo, t = e / pc.Wo, p = t % pc.Ho;
                    t /= pc.Ho;
                    int o = t % pc.O, n = t / pc.O;
                    int r0 = p * pc.sh - pc.pt, s0 = q * pc.sw - pc.pl;
                    int xb = (n * pc.C + (o / pc.Og) * pc.Cg) * pc.H * pc.W, wb = o * pc.Cg * pc.kh * pc.kw;
                    float acc = 0.0;
                    for (int c = 0; c < pc.Cg; c++) {
                        for (int i = 0; i < pc.kh; i++) {
                            int r = r0 + i * pc.dh;
                            if (r < 0 || r >= pc.H) continue;
                            for (int j = 0; j < pc.kw; j++) {
                                int s = s0 + j * pc.dw;
                                if (s >= 0 && s < pc.W) acc += w[wb + (c * pc.kh + i) * pc.kw + j] * x[xb + (c * pc.H + r) * pc.W + s];
                            }
                        }
                    }
                    y[id] = rnd(acc, pc.mode);
                }
                """.replace("GEOMETRY", GEOMETRY_FIELDS);
        return new Kernel("conv2d_direct", src, 3);
    }

    /**
     * Direct transposed convolution in gather form, one invocation per output element: each
     * kernel tap {@code (i, j)} names the one input position {@code ((r + pt - i dh)/sh, (s + pl - j dw)/sw)}
     * that lands on {@code (r, s)}, if the division is exact and inside the input. Push: count,
     * mode, Coutg, N, then {@link #geometry} (image side = the input {@code Cin, H, W}, column side =
     * the output {@code Cout, Ho, Wo}, {@code Cg = Cin/groups}).
     */
    static Kernel convTranspose2dDirect() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer Y { float y[]; };
                layout(std430, binding = 1) readonly buffer X { float x[]; };
                layout(std430, binding = 2) readonly buffer Wt { float w[]; };
                layout(push_constant) uniform P { int count; uint mode; int Og; int N; GEOMETRY } pc;
                void main() {
                    uint id = flatId();
                    if (id >= uint(pc.count)) return;
                    int e = int(id);
                    int s = e % pc.Wo, t = e / pc.Wo, r = t % pc.Ho;
                    t /= pc.Ho;
                    int co = t % pc.O, n = t / pc.O;
                    int grp = co / pc.Og, cl = co - grp * pc.Og, khw = pc.kh * pc.kw;
                    float acc = 0.0;
                    for (int c = 0; c < pc.Cg; c++) {
                        int ci = grp * pc.Cg + c;
                        int xb = (n * pc.C + ci) * pc.H * pc.W, wb = (ci * pc.Og + cl) * khw;
                        for (int i = 0; i < pc.kh; i++) {
                            int pn = r + pc.pt - i * pc.dh;
                            if (pn < 0) break;
                            int p = pn / pc.sh;
                            if (p * pc.sh != pn || p >= pc.H) continue;
                            for (int j = 0; j < pc.kw; j++) {
                                int qn = s + pc.pl - j * pc.dw;
                                if (qn < 0) break;
                                int q = qn / pc.sw;
                                if (q * pc.sw == qn && q < pc.W) acc += x[xb + p * pc.W + q] * w[wb + i * pc.kw + j];
                            }
                        }
                    }
                    y[id] = rnd(acc, pc.mode);
                }
                """.replace("GEOMETRY", GEOMETRY_FIELDS);
        return new Kernel("conv_transpose2d_direct", src, 3);
    }

    /**
     * Direct weight gradient, one workgroup per kernel element {@code dw[o, c, i, j]}: a strided
     * loop over {@code (n, p, q)} and a fixed-shape tree in shared memory, so the order of the
     * sum is fixed. Push: count (kernel elements), mode, Og, N, then {@link #geometry} (column side =
     * the gradient {@code O, gh, gw}).
     */
    static Kernel weightGradDirect() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer Y { float y[]; };
                layout(std430, binding = 1) readonly buffer X { float x[]; };
                layout(std430, binding = 2) readonly buffer G { float g[]; };
                layout(push_constant) uniform P { int count; uint mode; int Og; int N; GEOMETRY } pc;
                shared float part[256];
                void main() {
                    int e = int(groupId());
                    if (e >= pc.count) return;
                    int lid = int(gl_LocalInvocationID.x);
                    int j = e % pc.kw, t = e / pc.kw, i = t % pc.kh;
                    t /= pc.kh;
                    int c = t % pc.Cg, o = t / pc.Cg;
                    int hw = pc.H * pc.W, ghw = pc.Ho * pc.Wo;
                    int xc = ((o / pc.Og) * pc.Cg + c) * hw;
                    int dr = i * pc.dh - pc.pt, ds = j * pc.dw - pc.pl;
                    float acc = 0.0;
                    for (int k = lid; k < pc.N * ghw; k += 256) {
                        int n = k / ghw, pq = k - n * ghw, p = pq / pc.Wo, q = pq - p * pc.Wo;
                        int r = p * pc.sh + dr, s = q * pc.sw + ds;
                        if (r >= 0 && r < pc.H && s >= 0 && s < pc.W) acc += g[(n * pc.O + o) * ghw + pq] * x[n * pc.C * hw + xc + r * pc.W + s];
                    }
                    part[lid] = acc;
                    barrier();
                    for (int st = 128; st > 0; st >>= 1) {
                        if (lid < st) part[lid] += part[lid + st];
                        barrier();
                    }
                    if (lid == 0) y[e] = rnd(part[0], pc.mode);
                }
                """.replace("GEOMETRY", GEOMETRY_FIELDS);
        return new Kernel("conv2d_weight_grad_direct", src, 3);
    }

    // ---- max pooling ---------------------------------------------------------------------

    /** Push ints of one window axis: A, B, D, E, step (see the class comment). */
    static final int AXIS_INTS = 5;

    /**
     * The closed form {@code A, B, D, E, step} of {@code win}'s windows along {@code axis} for an
     * input of size {@code n}, checked against {@link PoolWindow#start}/{@link PoolWindow#taps} at
     * every output position and for the monotonicity the scatter's window walk relies on; null
     * when the form does not describe the windows or would overflow 32-bit arithmetic.
     */
    static int[] windowAxis(PoolWindow win, int axis, int n) {
        int out = win.outSize(axis, n);
        long a, b, d, e;
        switch (win) {
            case PoolWindow.Fixed f -> {
                int k = axis == 0 ? f.kernelH() : f.kernelW(), s = axis == 0 ? f.strideH() : f.strideW(), p = axis == 0 ? f.padH() : f.padW();
                a = s;
                b = -p;
                d = 1;
                e = k - p;
            }
            case PoolWindow.Adaptive ad -> {
                a = n;
                b = 0;
                d = out;
                e = n + out - 1L;
            }
        }
        int step = win.step(axis);
        if (a < 1 || d < 1 || step < 1) return null;
        long limit = Integer.MAX_VALUE / 2;
        // the largest intermediates: o A + E and (r + 1) D - B for o < out, r < n
        if ((long) out * a + Math.abs(e) + Math.abs(b) > limit || (n + 1L) * d + Math.abs(b) > limit) return null;
        long prevStart = Long.MIN_VALUE, prevEnd = Long.MIN_VALUE;
        for (int o = 0; o < out; o++) {
            long start = Math.floorDiv(o * a + b, d), taps = Math.floorDiv(o * a + e, d) - start;
            if (start != win.start(axis, o, n) || taps != win.taps(axis, o, n)) return null;
            long end = start + (taps - 1) * step + 1;
            if (start < prevStart || end < prevEnd) return null;
            prevStart = start;
            prevEnd = end;
        }
        return new int[] {(int) a, (int) b, (int) d, (int) e, step};
    }

    private static final String WINDOW = """
            int fdiv(int a, int d) { int q = a / d; return q * d > a ? q - 1 : q; }
            int wStart(int ax, int o) { return fdiv(o * pc.win[ax * 5] + pc.win[ax * 5 + 1], pc.win[ax * 5 + 2]); }
            int wTaps(int ax, int o) { return fdiv(o * pc.win[ax * 5] + pc.win[ax * 5 + 3], pc.win[ax * 5 + 2]) - wStart(ax, o); }
            // Plane offset of the arg-max of window (p, q), or -1 when no tap lies inside the input.
            int argmax(int base, int p, int q) {
                int r0 = wStart(0, p), nr = wTaps(0, p), c0 = wStart(1, q), nc = wTaps(1, q), sr = pc.win[4], sc = pc.win[9];
                int best = -1;
                float bv = -INF;
                for (int a = 0; a < nr; a++) {
                    int r = r0 + a * sr;
                    if (r < 0 || r >= pc.H) continue;
                    for (int b = 0; b < nc; b++) {
                        int c = c0 + b * sc;
                        if (c < 0 || c >= pc.W) continue;
                        float v = x[base + r * pc.W + c];
                        if (best < 0) best = r * pc.W + c;
                        if (v > bv || isnan(v)) { bv = v; best = r * pc.W + c; }
                    }
                }
                return best;
            }
            """;

    /** {@code y[plane, p, q] = u[plane, argmax]}, one invocation per output. Push: count, mode, H, W, Ho, Wo, win[10]. */
    static Kernel maxPoolSelect() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer Y { float y[]; };
                layout(std430, binding = 1) readonly buffer X { float x[]; };
                layout(std430, binding = 2) readonly buffer U { float u[]; };
                layout(push_constant) uniform P { int count; uint mode; int H; int W; int Ho; int Wo; int win[10]; } pc;
                WINDOW
                void main() {
                    uint id = flatId();
                    if (id >= uint(pc.count)) return;
                    int e = int(id);
                    int q = e % pc.Wo, t = e / pc.Wo, p = t % pc.Ho, plane = t / pc.Ho;
                    int base = plane * pc.H * pc.W;
                    int k = argmax(base, p, q);
                    y[id] = rnd(k < 0 ? -INF : u[base + k], pc.mode);
                }
                """.replace("WINDOW", WINDOW);
        return new Kernel("max_pool_select", src, 3);
    }

    /**
     * {@code y[plane, r, c] = sum of g[plane, p, q]} over the windows {@code (p, q)} whose arg-max
     * is {@code (r, c)}, one invocation per input element. Push: count, mode, H, W, Ho, Wo, win[10].
     */
    static Kernel maxPoolScatter() {
        String src = GlslKernels.HEADER + """
                layout(std430, binding = 0) writeonly buffer Y { float y[]; };
                layout(std430, binding = 1) readonly buffer X { float x[]; };
                layout(std430, binding = 2) readonly buffer G { float g[]; };
                layout(push_constant) uniform P { int count; uint mode; int H; int W; int Ho; int Wo; int win[10]; } pc;
                WINDOW
                // Last window along ax whose start is <= r (windows start in order).
                int lastWindow(int ax, int r, int count) {
                    return min(count - 1, fdiv((r + 1) * pc.win[ax * 5 + 2] - pc.win[ax * 5 + 1] - 1, pc.win[ax * 5]));
                }
                // Whether r is a tap of window o along ax, given start(o) <= r; -1 once the window (and all before it) ends before r.
                int tapOf(int ax, int o, int r) {
                    int st = wStart(ax, o), n = wTaps(ax, o), step = pc.win[ax * 5 + 4];
                    if (st + (n - 1) * step < r) return -1;
                    int d = r - st;
                    return d % step == 0 ? 1 : 0;
                }
                void main() {
                    uint id = flatId();
                    if (id >= uint(pc.count)) return;
                    int e = int(id);
                    int c = e % pc.W, t = e / pc.W, r = t % pc.H, plane = t / pc.H;
                    int base = plane * pc.H * pc.W, gb = plane * pc.Ho * pc.Wo, self = r * pc.W + c;
                    float acc = 0.0;
                    for (int p = lastWindow(0, r, pc.Ho); p >= 0; p--) {
                        int tp = tapOf(0, p, r);
                        if (tp < 0) break;
                        if (tp == 0) continue;
                        for (int q = lastWindow(1, c, pc.Wo); q >= 0; q--) {
                            int tq = tapOf(1, q, c);
                            if (tq < 0) break;
                            if (tq == 1 && argmax(base, p, q) == self) acc += g[gb + p * pc.Wo + q];
                        }
                    }
                    y[id] = rnd(acc, pc.mode);
                }
                """.replace("WINDOW", WINDOW);
        return new Kernel("max_pool_scatter", src, 3);
    }
}
