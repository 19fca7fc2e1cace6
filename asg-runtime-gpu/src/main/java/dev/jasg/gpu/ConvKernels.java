package dev.jasg.gpu;

import dev.jasg.core.ConvGeometry;
import java.util.Locale;

/**
 * GLSL kernels of the convolution primitives on NCHW tensors, and the push constants that
 * describe one launch (max pooling: {@link PoolKernels}).
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
 *       {@code K = Cig kh kw}, columns {@code (n, r, s)}. The outputs are split into the
 *       {@code sh sw} phases {@code (r mod sh, s mod sw)}: each phase receives a fixed subset of
 *       the taps, so it is a dense product over just those and no work is spent on the zeros
 *       the stride inserts.</li>
 *   <li>conv2d weight gradient: {@code dw[gOg+m, c, i, j] = sum_{(n,p,q)} g[n, gOg+m, p, q] x[n, gCg+c, p sh - pt + i dh, q sw - pl + j dw]}
 *       over the gradient's {@code gh x gw} positions: {@code M = Og}, columns {@code (c, i, j)},
 *       {@code K = N gh gw}. One workgroup owns one output tile and walks the whole reduction, so the
 *       sum needs neither atomics nor a second pass and is deterministic.</li>
 * </ul>
 * The tiled kernel is the register-blocked scheme of {@link MatMulKernel}: a workgroup computes
 * a {@code BM x BN} tile, each invocation {@code TM x TN} accumulators (rows
 * {@code ty*4 + i%4 + (i/4)*4TY}, so shared-memory reads are 16-byte vectors), with {@code BK}-deep
 * tiles of A (stored k-major) and B in shared memory and the next step's tiles prefetched into
 * registers while the current one is multiplied. The reduction is walked in steps that keep
 * the index arithmetic out of the loads: conv2d (with at least BK channels per group) and the
 * transposed convolution step through (kernel tap, block of BK channels), the weight gradient
 * through (image, gradient row, block of BK columns); each invocation's B column is decomposed
 * once, each step's position once per invocation, and a load is then one multiply-add away.
 * Thin outputs over long reductions (weight gradients of few channels) would leave most of a
 * GPU idle with one tile per workgroup, so the smaller tiles split their workgroup into
 * {@code S} slices that take every {@code S}-th step and add their partial tiles by a fixed
 * tree in shared memory: still one pass, deterministic. {@link #tiles} picks the shape.
 * Operands too thin for a tile (depthwise and few-channel convolutions: {@code M} or {@code K}
 * below {@link #MIN_GEMM}) use direct kernels: one invocation per output pixel and chunk of
 * output channels for the forward ops (each input value loaded once for the chunk; the
 * transposed one visits only the exact taps), one workgroup per weight-gradient element with a
 * tree sum.
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

    /**
     * A tile configuration: {@code S} slices of {@code TX x TY} invocations ({@code 256 = S TX TY}),
     * each invocation {@code TM x TN} accumulators, so the tile is {@code BM = TY TM} by
     * {@code BN = TX TN}; the slices split the reduction between them and add their partial
     * tiles in a fixed order at the end. {@code BK} is the depth of one step.
     */
    record Tiles(int tx, int ty, int tm, int tn, int slices, int bk) {
        int bm() { return ty * tm; }
        int bn() { return tx * tn; }
        int threads() { return tx * ty; }

        /** Bytes of shared memory: the A and B tiles of every slice, and the partial tiles of half the slices (a tree sum). */
        int sharedBytes() {
            return 4 * (slices * (bm() + bn()) * bk + slices / 2 * bm() * bn());
        }
    }

    /** The tile shapes, largest first: 128 x 128 and 64 x 64 tiles, then 32 x 32 in 4 slices and 16 x 16 in 16 for thin outputs over long reductions. */
    private static final int[][] SHAPES = {{16, 16, 8, 8, 1}, {16, 16, 4, 4, 1}, {8, 8, 4, 4, 4}, {4, 4, 4, 4, 16}};

    private ConvKernels() {}

    /**
     * The tile for an {@code m x n} output per group ({@code batches} groups) over a reduction of
     * {@code k}: the largest shape that still makes {@code minGroups} workgroups (a big GPU wants a
     * few per multiprocessor) and, for sliced shapes, gives every slice a few steps of the
     * reduction; the shape with the most workgroups when none does. BK is as deep as half the
     * shared memory allows (as MatMulKernel, leaving room for a second resident workgroup).
     */
    static Tiles tiles(int m, int n, int k, long batches, int maxSharedBytes, int minGroups) {
        Tiles pick = null;
        for (int[] sh : SHAPES) {
            Tiles t = withDepth(sh, maxSharedBytes);
            if (t == null) continue;
            if (t.bm() > 64 && m < 128 || t.bn() > 64 && n < 128) continue;
            if (t.slices() > 1 && k < 4L * t.slices() * t.bk()) break;
            pick = t;
            if (ceil(m, t.bm()) * ceil(n, t.bn()) * batches >= minGroups) break;
        }
        return pick != null ? pick : withDepth(SHAPES[1], maxSharedBytes);
    }

    private static Tiles withDepth(int[] sh, int maxSharedBytes) {
        // half the shared memory at most, as MatMulKernel: occupancy matters more (measured on an H200)
        int budget = maxSharedBytes / 2;
        int threads = sh[0] * sh[1];
        // Sliced tiles keep BK shallow (8 for 4 slices, 4 for 16): fewer registers for the prefetch, more resident
        // workgroups; measured faster on an H200 for long weight-gradient reductions.
        for (int bk = sh[4] == 1 ? 32 : Math.max(4, 32 / sh[4]); bk >= 4; bk /= 2) {
            Tiles t = new Tiles(sh[0], sh[1], sh[2], sh[3], sh[4], bk);
            // each invocation keeps one A k-offset and one B column: BK and BN must divide the slice's invocations
            if (bk > threads || threads % bk != 0 || threads % t.bn() != 0) continue;
            if (t.sharedBytes() <= budget) return t;
        }
        return null;
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

    /** Ints of the tiled kernels' push constants before {@link #geometry}. */
    static final int GEMM_HEAD = 9;

    /** Whether the tiled conv2d walks its reduction tap by tap in blocks of BK channels (else as one flat index). */
    static boolean blocked(Conv conv, Tiles t, int cg) {
        return conv != Conv.FORWARD || cg >= t.bk();
    }

    /** Output-position phases of the tiled kernel of {@code conv}: the transposed convolution's {@code sh sw} residues, else one. */
    static int phases(Conv conv, int[] geometry) {
        return conv == Conv.TRANSPOSED ? geometry[9] * geometry[10] : 1;
    }

    /**
     * The tiled kernel of {@code conv}. Push: M, NC (columns of the first phase), K, N (batch),
     * G (groups), tilesN, tilesM, total workgroups, mode, then {@link #geometry}. Bindings: out,
     * image-side input x, then the weight (forward, transposed) or the output gradient (weight
     * gradient).
     */
    static Kernel gemm(Conv conv, Tiles t, int[] geometry) {
        // The kernel's size (and the transposed convolution's strides, which it divides by) are compile-time constants,
        // so the index arithmetic's divisions become multiplications; the rest stays in push constants, to keep the
        // number of pipelines small.
        int kh = geometry[7], kw = geometry[8];
        int sh = conv == Conv.TRANSPOSED ? geometry[9] : 0, sw = conv == Conv.TRANSPOSED ? geometry[10] : 0;
        boolean blocked = blocked(conv, t, geometry[6]);
        String name = String.format(Locale.ROOT, "%s_gemm_%dx%dx%d_s%d_k%dx%d%s%s", conv.label, t.bm(), t.bn(), t.bk(), t.slices(), kh, kw,
                sh == 0 ? "" : "_st" + sh + "x" + sw, blocked ? "" : "_flat");
        String defs = String.format(Locale.ROOT, "#define TX %d\n#define TY %d\n#define TM %d\n#define TN %d\n#define S %d\n#define BK %d\n"
                + "#define KH %d\n#define KW %d\n", t.tx(), t.ty(), t.tm(), t.tn(), t.slices(), t.bk(), kh, kw);
        if (sh != 0) defs += "#define SH " + sh + "\n#define SW " + sw + "\n";
        String ops = switch (conv) {
            case FORWARD -> blocked ? FORWARD_OPERANDS : FORWARD_FLAT_OPERANDS;
            case TRANSPOSED -> TRANSPOSED_OPERANDS;
            case WEIGHT_GRAD -> WEIGHT_GRAD_OPERANDS;
        };
        return new Kernel(name, GEMM.replace("//DEFS\n", defs).replace("//OPERANDS\n", ops), 3);
    }

    /*
     * Each operand block defines, for group grp: setupWG(phase) (per workgroup: NCw, the columns
     * of its phase, and nSteps, the number of BK-deep reduction steps), setupB(col) (once per
     * invocation: its B column's decomposition), stepSetup(st) (per step: what the step's k range
     * is; sLive says whether the step exists), loadA(m, kk) (the second input) and loadB(kk) (the
     * image-side input x) at offset kk of the step, zero outside, and outBase(col)/OUT_ROW:
     * C[m, col] is stored at outBase(col) + m OUT_ROW.
     *
     * Blocked reductions run over (tap, block of BK channels) (or (image, row, block of BK
     * columns) for the weight gradient): the step's tap and the invocation's column fix the
     * spatial position once per step, and the k offset within the step is just a channel (or
     * column) index, so no load divides.
     */
    private static final String FORWARD_OPERANDS = """
            int CB;
            void setupWG(int phase) {
                NCw = pc.NC;
                CB = (pc.Cg + BK - 1) / BK;
                nSteps = KH * KW * CB;
            }
            int bX, bR, bS;
            void setupB(int col) {
                int q = col % pc.Wo, t = col / pc.Wo, p = t % pc.Ho, n = t / pc.Ho;
                bX = (n * pc.C + grp * pc.Cg) * pc.H * pc.W;
                bR = p * pc.sh - pc.pt;
                bS = q * pc.sw - pc.pl;
            }
            int sC, sTap, sOff;
            bool sIn;
            void stepSetup(int st) {
                sLive = st < nSteps;
                int cb = st % CB;
                sTap = st / CB;
                sC = cb * BK;
                int i = sTap / KW, j = sTap - i * KW, r = bR + i * pc.dh, s = bS + j * pc.dw;
                sIn = bok && r >= 0 && r < pc.H && s >= 0 && s < pc.W;
                sOff = bX + r * pc.W + s;
            }
            float loadA(int m, int kk) {
                int c = sC + kk;
                return c < pc.Cg ? in1[((grp * pc.M + m) * pc.Cg + c) * (KH * KW) + sTap] : 0.0;
            }
            float loadB(int kk) {
                int c = sC + kk;
                return (sIn && c < pc.Cg) ? in0[sOff + c * pc.H * pc.W] : 0.0;
            }
            int outBase(int col) {
                int hw = pc.Ho * pc.Wo, n = col / hw;
                return (n * pc.O + grp * pc.M) * hw + (col - n * hw);
            }
            #define OUT_ROW (pc.Ho * pc.Wo)
            """;

    /** conv2d with fewer channels per group than BK (a first layer): one flat k = (c, i, j), decomposed per load. */
    private static final String FORWARD_FLAT_OPERANDS = """
            void setupWG(int phase) {
                NCw = pc.NC;
                nSteps = (pc.K + BK - 1) / BK;
            }
            int bX, bR, bS;
            void setupB(int col) {
                int q = col % pc.Wo, t = col / pc.Wo, p = t % pc.Ho, n = t / pc.Ho;
                bX = (n * pc.C + grp * pc.Cg) * pc.H * pc.W;
                bR = p * pc.sh - pc.pt;
                bS = q * pc.sw - pc.pl;
            }
            int sK;
            void stepSetup(int st) {
                sLive = st < nSteps;
                sK = st * BK;
            }
            float loadA(int m, int kk) {
                int k = sK + kk;
                return k < pc.K ? in1[(grp * pc.M + m) * pc.K + k] : 0.0;
            }
            float loadB(int kk) {
                int k = sK + kk;
                if (k >= pc.K) return 0.0;
                int j = k % KW, t = k / KW, i = t % KH, c = t / KH;
                int r = bR + i * pc.dh, s = bS + j * pc.dw;
                return (r >= 0 && r < pc.H && s >= 0 && s < pc.W) ? in0[bX + (c * pc.H + r) * pc.W + s] : 0.0;
            }
            int outBase(int col) {
                int hw = pc.Ho * pc.Wo, n = col / hw;
                return (n * pc.O + grp * pc.M) * hw + (col - n * hw);
            }
            #define OUT_ROW (pc.Ho * pc.Wo)
            """;

    /*
     * The transposed convolution by phases: the outputs (r, s) with r = a mod sh, s = b mod sw
     * receive exactly the taps i with (a + pt - i dh) = 0 mod sh (an arithmetic progression
     * i0, i0 + iSt, ... of nI taps) and likewise j, so each phase is a dense product over
     * (its taps, channels) and no step multiplies zeros that the stride put in.
     */
    private static final String TRANSPOSED_OPERANDS = """
            int pa, pb, i0, iSt, nI, j0, jSt, nJ, Hu, Wv, CB;
            int fdiv(int a, int d) { int q = a / d; return q * d > a ? q - 1 : q; }
            void setupWG(int phase) {
                pa = phase % SH;
                pb = phase / SH;
                nI = 0; i0 = 0; iSt = 1;
                for (int i = 0; i < KH; i++) {
                    int x = pa + pc.pt - i * pc.dh;
                    if (x - SH * fdiv(x, SH) != 0) continue;
                    if (nI == 0) i0 = i; else if (nI == 1) iSt = i - i0;
                    nI++;
                }
                nJ = 0; j0 = 0; jSt = 1;
                for (int j = 0; j < KW; j++) {
                    int x = pb + pc.pl - j * pc.dw;
                    if (x - SW * fdiv(x, SW) != 0) continue;
                    if (nJ == 0) j0 = j; else if (nJ == 1) jSt = j - j0;
                    nJ++;
                }
                Hu = (pc.Ho - pa + SH - 1) / SH;
                Wv = (pc.Wo - pb + SW - 1) / SW;
                NCw = pc.N * Hu * Wv;
                CB = (pc.Cg + BK - 1) / BK;
                nSteps = nI * nJ * CB;
            }
            int bX, bR, bS;
            void setupB(int col) {
                int v = col % Wv, t = col / Wv, u = t % Hu, n = t / Hu;
                bX = (n * pc.C + grp * pc.Cg) * pc.H * pc.W;
                bR = pa + u * SH + pc.pt;
                bS = pb + v * SW + pc.pl;
            }
            int sC, sTap, sOff;
            bool sIn;
            void stepSetup(int st) {
                sLive = st < nSteps;
                int cb = st % CB, t = st / CB, jj = t % max(nJ, 1), ii = t / max(nJ, 1);
                int i = i0 + ii * iSt, j = j0 + jj * jSt;
                sTap = i * KW + j;
                sC = cb * BK;
                // exact divisions: the phase guarantees both numerators are multiples of the strides
                int pn = bR - i * pc.dh, qn = bS - j * pc.dw;
                int p = pn / SH, q = qn / SW;
                sIn = bok && pn >= 0 && qn >= 0 && p < pc.H && q < pc.W;
                sOff = bX + p * pc.W + q;
            }
            float loadA(int m, int kk) {
                int c = sC + kk;
                return c < pc.Cg ? in1[((grp * pc.Cg + c) * pc.M + m) * (KH * KW) + sTap] : 0.0;
            }
            float loadB(int kk) {
                int c = sC + kk;
                return (sIn && c < pc.Cg) ? in0[sOff + c * pc.H * pc.W] : 0.0;
            }
            int outBase(int col) {
                int v = col % Wv, t = col / Wv, u = t % Hu, n = t / Hu;
                return (n * pc.O + grp * pc.M) * pc.Ho * pc.Wo + (pa + u * SH) * pc.Wo + pb + v * SW;
            }
            #define OUT_ROW (pc.Ho * pc.Wo)
            """;

    /*
     * The weight gradient's reduction runs over (image n, gradient row p, block of BK gradient
     * columns), each row padded to a multiple of BK: the step fixes n and p, the offset is the
     * column. (Padding costs at most BK - 1 columns per row, e.g. 14 -> 16.)
     */
    private static final String WEIGHT_GRAD_OPERANDS = """
            int QB;
            void setupWG(int phase) {
                NCw = pc.NC;
                QB = (pc.Wo + BK - 1) / BK;
                nSteps = pc.N * pc.Ho * QB;
            }
            int bX, bR, bS;
            void setupB(int col) {
                int j = col % KW, t = col / KW, i = t % KH, c = t / KH;
                bX = (grp * pc.Cg + c) * pc.H * pc.W;
                bR = i * pc.dh - pc.pt;
                bS = j * pc.dw - pc.pl;
            }
            int sQ, sA, sB;
            bool sRow;
            void stepSetup(int st) {
                sLive = st < nSteps;
                int qb = st % QB, t = st / QB, p = t % pc.Ho, n = t / pc.Ho;
                sQ = qb * BK;
                sA = ((n * pc.O + grp * pc.M) * pc.Ho + p) * pc.Wo + sQ;
                int r = p * pc.sh + bR;
                sRow = bok && r >= 0 && r < pc.H;
                sB = n * pc.C * pc.H * pc.W + bX + r * pc.W + bS;
            }
            float loadA(int m, int kk) {
                return sQ + kk < pc.Wo ? in1[sA + m * pc.Ho * pc.Wo + kk] : 0.0;
            }
            float loadB(int kk) {
                int q = sQ + kk, s = q * pc.sw + bS;
                return (sRow && q < pc.Wo && s >= 0 && s < pc.W) ? in0[sB + q * pc.sw] : 0.0;
            }
            int outBase(int col) { return grp * pc.M * pc.NC + col; }
            #define OUT_ROW (pc.NC)
            """;

    private static final String GEMM = """
            #version 450
            #extension GL_EXT_control_flow_attributes : enable
            //DEFS
            #define T (TX * TY)
            #define BM (TY * TM)
            #define BN (TX * TN)
            #define GM (TM / 4)
            #define GN (TN / 4)
            #define LA (BM * BK / T)
            #define LB (BN * BK / T)
            layout(local_size_x = 256) in;
            layout(std430, binding = 0) writeonly buffer Y { float y[]; };
            layout(std430, binding = 1) readonly buffer I0 { float in0[]; };
            layout(std430, binding = 2) readonly buffer I1 { float in1[]; };
            layout(push_constant) uniform P { int M; int NC; int K; int N; int G; int tilesN; int tilesM; int total; uint mode; GEOMETRY } pc;
            shared vec4 As[S][BK * BM / 4];
            shared vec4 Bs[S][BK * BN / 4];
            #if S > 1
            shared vec4 partial[S / 2 * T * TM * GN];
            #endif
            int grp, NCw, nSteps;
            bool bok, sLive;

            float rnd(float v) { return pc.mode == 0u ? v : (pc.mode == 1u ? trunc(v) : (v != 0.0 ? 1.0 : 0.0)); }

            //OPERANDS
            void main() {
                int wg = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
                if (wg >= pc.total) return;
                int tn = wg % pc.tilesN, rest = wg / pc.tilesN, tm = rest % pc.tilesM;
                rest /= pc.tilesM;
                grp = rest % pc.G;
                setupWG(rest / pc.G);
                int m0 = tm * BM, n0 = tn * BN;
                // phases after the first may have fewer columns: whole workgroups drop out (uniformly, before any barrier)
                if (n0 >= NCw) return;
                int M = pc.M, NC = NCw;
                int tid = int(gl_LocalInvocationID.x), slice = tid / T, lt = tid % T, tx = lt % TX, ty = lt / TX;
                // This invocation always loads A at k offset lt % BK and B at column lt % BN.
                int ak = lt % BK, bc = lt % BN, bcol = n0 + bc;
                bok = bcol < NC;
                if (bok) setupB(bcol);

                vec4 acc[TM][GN];
                [[unroll]] for (int i = 0; i < TM; i++) [[unroll]] for (int j = 0; j < GN; j++) acc[i][j] = vec4(0.0);
                float ra[LA];
                float rb[LB];
                // Slice s takes steps s, s + S, ...; every slice runs the same number of rounds (barriers), past the end it loads zeros.
                int rounds = (nSteps + S - 1) / S;

                #define LOAD(st) { \\
                    stepSetup(st); \\
                    [[unroll]] for (int l = 0; l < LA; l++) { \\
                        int gr = m0 + lt / BK + l * (T / BK); \\
                        ra[l] = (sLive && gr < M) ? loadA(gr, ak) : 0.0; \\
                    } \\
                    [[unroll]] for (int l = 0; l < LB; l++) { \\
                        rb[l] = (sLive && bok) ? loadB(lt / BN + l * (T / BN)) : 0.0; \\
                    } }
                LOAD(slice)
                for (int s = 0; s < rounds; s++) {
                    [[unroll]] for (int l = 0; l < LA; l++) {
                        int at = ak * BM + lt / BK + l * (T / BK);
                        As[slice][at / 4][at % 4] = ra[l];
                    }
                    [[unroll]] for (int l = 0; l < LB; l++) {
                        int at = (lt / BN + l * (T / BN)) * BN + bc;
                        Bs[slice][at / 4][at % 4] = rb[l];
                    }
                    barrier();
                    if (s + 1 < rounds) LOAD((s + 1) * S + slice)
                    // the k loop is left to the driver's compiler: unrolling it here multiplies shaderc's time by BK
                    for (int k = 0; k < BK; k++) {
                        vec4 av[GM];
                        vec4 bv[GN];
                        [[unroll]] for (int g = 0; g < GM; g++) av[g] = As[slice][k * (BM / 4) + g * TY + ty];
                        [[unroll]] for (int g = 0; g < GN; g++) bv[g] = Bs[slice][k * (BN / 4) + g * TX + tx];
                        [[unroll]] for (int i = 0; i < TM; i++) {
                            float a = av[i / 4][i % 4];
                            [[unroll]] for (int j = 0; j < GN; j++) acc[i][j] = fma(vec4(a), bv[j], acc[i][j]);
                        }
                    }
                    barrier();
                }
            #if S > 1
                // The slices' partial tiles are added by a fixed tree (slice s + h onto s, h = S/2, S/4, ...),
                // so the sum does not depend on scheduling.
                for (int h = S / 2; h >= 1; h /= 2) {
                    if (slice >= h && slice < 2 * h) {
                        [[unroll]] for (int i = 0; i < TM; i++) [[unroll]] for (int j = 0; j < GN; j++)
                            partial[(((slice - h) * T + lt) * TM + i) * GN + j] = acc[i][j];
                    }
                    barrier();
                    if (slice < h) {
                        [[unroll]] for (int i = 0; i < TM; i++) [[unroll]] for (int j = 0; j < GN; j++)
                            acc[i][j] += partial[((slice * T + lt) * TM + i) * GN + j];
                    }
                    barrier();
                }
                if (slice > 0) return;
            #endif

                [[unroll]] for (int j = 0; j < TN; j++) {
                    int col = n0 + (j / 4) * (TX * 4) + tx * 4 + j % 4;
                    if (col >= NC) continue;
                    int base = outBase(col);
                    [[unroll]] for (int i = 0; i < TM; i++) {
                        int r = m0 + ty * 4 + i % 4 + (i / 4) * (TY * 4);
                        if (r < M) y[base + r * OUT_ROW] = rnd(acc[i][j / 4][j % 4]);
                    }
                }
            }
            """.replace("GEOMETRY", GEOMETRY_FIELDS);

    // ---- direct convolution kernels ------------------------------------------------------

    /**
     * Output channels one invocation of a direct kernel accumulates for {@code og} channels per
     * group: each input value it loads serves all of them (one for depthwise convolutions, where
     * a chunk would only repeat loads).
     */
    static int directChannels(int og) {
        return og >= 2 ? 4 : 1;
    }

    /** Ints of the direct kernels' push constants before {@link #geometry}. */
    static final int DIRECT_HEAD = 7;

    /**
     * Direct conv2d for thin operands: one invocation per output pixel and chunk of
     * {@code ch} ({@link #directChannels}) output channels of a group. Push (as every direct kernel's):
     * count (invocations, or workgroups for the weight gradient), mode, Og (column-side channels
     * per group), N, G (groups), iStep, jStep (tap steps of the transposed convolution), then
     * {@link #geometry}.
     */
    static Kernel conv2dDirect(int ch) {
        String src = GlslKernels.HEADER + "#define CH " + ch + "\n" + DIRECT_PUSH + """
                layout(std430, binding = 0) writeonly buffer Y { float y[]; };
                layout(std430, binding = 1) readonly buffer X { float x[]; };
                layout(std430, binding = 2) readonly buffer Wt { float w[]; };
                void main() {
                    uint id = flatId();
                    if (id >= uint(pc.count)) return;
                    int e = int(id), chunks = (pc.Og + CH - 1) / CH;
                    int q = e % pc.Wo, t = e / pc.Wo, p = t % pc.Ho;
                    t /= pc.Ho;
                    int ch = t % chunks;
                    t /= chunks;
                    int grp = t % pc.G, n = t / pc.G;
                    int o0 = grp * pc.Og + ch * CH, nv = min(CH, pc.Og - ch * CH), khw = pc.kh * pc.kw;
                    // rows of the chunk's weights; past the group's last channel they repeat it (loaded, never stored)
                    int wb[CH];
                    [[unroll]] for (int u = 0; u < CH; u++) wb[u] = (o0 + min(u, nv - 1)) * (pc.Cg * khw);
                    int r0 = p * pc.sh - pc.pt, s0 = q * pc.sw - pc.pl, hw = pc.H * pc.W;
                    int xb = (n * pc.C + grp * pc.Cg) * hw;
                    float acc[CH];
                    [[unroll]] for (int u = 0; u < CH; u++) acc[u] = 0.0;
                    for (int c = 0; c < pc.Cg; c++) {
                        for (int i = 0; i < pc.kh; i++) {
                            int r = r0 + i * pc.dh;
                            if (r < 0 || r >= pc.H) continue;
                            for (int j = 0; j < pc.kw; j++) {
                                int s = s0 + j * pc.dw;
                                if (s < 0 || s >= pc.W) continue;
                                float v = x[xb + c * hw + r * pc.W + s];
                                int k = c * khw + i * pc.kw + j;
                                [[unroll]] for (int u = 0; u < CH; u++) acc[u] = fma(v, w[wb[u] + k], acc[u]);
                            }
                        }
                    }
                    int ob = ((n * pc.O + o0) * pc.Ho + p) * pc.Wo + q, plane = pc.Ho * pc.Wo;
                    for (int k = 0; k < nv; k++) y[ob + k * plane] = rnd(acc[k], pc.mode);
                }
                """.replace("GEOMETRY", GEOMETRY_FIELDS);
        return new Kernel("conv2d_direct_" + ch, src, 3);
    }

    /**
     * Direct transposed convolution in gather form for thin operands: one invocation per output
     * pixel {@code (r, s)} and chunk of {@code ch} output channels. Tap {@code i}
     * contributes input row {@code (r + pt - i dh) / sh} when the division is exact and lands in
     * the input; the exact taps are every {@code iStep = sh / gcd(sh, dh)}-th from the first, so
     * the loop visits only those. Push: as {@link #conv2dDirect} (image side = the input
     * {@code Cin, H, W}, column side = the output {@code Cout, Ho, Wo}, {@code Cg = Cin/groups},
     * {@code Og = Cout/groups}).
     */
    static Kernel convTranspose2dDirect(int ch) {
        String src = GlslKernels.HEADER + "#define CH " + ch + "\n" + DIRECT_PUSH + """
                layout(std430, binding = 0) writeonly buffer Y { float y[]; };
                layout(std430, binding = 1) readonly buffer X { float x[]; };
                layout(std430, binding = 2) readonly buffer Wt { float w[]; };
                // First tap t in [0, min(k, step)) with (base - t d) a non-negative multiple of st; k when none.
                int firstTap(int base, int d, int st, int k, int step) {
                    for (int t = 0; t < min(k, step); t++) {
                        int x = base - t * d;
                        if (x < 0) return k;
                        if ((x / st) * st == x) return t;
                    }
                    return k;
                }
                void main() {
                    uint id = flatId();
                    if (id >= uint(pc.count)) return;
                    int e = int(id), chunks = (pc.Og + CH - 1) / CH;
                    int s = e % pc.Wo, t = e / pc.Wo, r = t % pc.Ho;
                    t /= pc.Ho;
                    int ch = t % chunks;
                    t /= chunks;
                    int grp = t % pc.G, n = t / pc.G;
                    int c0 = ch * CH, nv = min(CH, pc.Og - c0), khw = pc.kh * pc.kw, hw = pc.H * pc.W;
                    int wo[CH];
                    [[unroll]] for (int u = 0; u < CH; u++) wo[u] = (c0 + min(u, nv - 1)) * khw;
                    int rb = r + pc.pt, sb = s + pc.pl;
                    int i0 = firstTap(rb, pc.dh, pc.sh, pc.kh, pc.iStep), j0 = firstTap(sb, pc.dw, pc.sw, pc.kw, pc.jStep);
                    float acc[CH];
                    [[unroll]] for (int u = 0; u < CH; u++) acc[u] = 0.0;
                    for (int c = 0; c < pc.Cg; c++) {
                        int ci = grp * pc.Cg + c;
                        int xb = (n * pc.C + ci) * hw, wb = ci * pc.Og * khw;
                        for (int i = i0; i < pc.kh; i += pc.iStep) {
                            int pn = rb - i * pc.dh;
                            if (pn < 0) break;
                            int p = pn / pc.sh;
                            if (p >= pc.H) continue;
                            for (int j = j0; j < pc.kw; j += pc.jStep) {
                                int qn = sb - j * pc.dw;
                                if (qn < 0) break;
                                int q = qn / pc.sw;
                                if (q >= pc.W) continue;
                                float v = x[xb + p * pc.W + q];
                                int k = wb + i * pc.kw + j;
                                [[unroll]] for (int u = 0; u < CH; u++) acc[u] = fma(v, w[k + wo[u]], acc[u]);
                            }
                        }
                    }
                    int ob = ((n * pc.O + grp * pc.Og + c0) * pc.Ho + r) * pc.Wo + s, plane = pc.Ho * pc.Wo;
                    for (int k = 0; k < nv; k++) y[ob + k * plane] = rnd(acc[k], pc.mode);
                }
                """.replace("GEOMETRY", GEOMETRY_FIELDS);
        return new Kernel("conv_transpose2d_direct_" + ch, src, 3);
    }

    private static final String DIRECT_PUSH = """
            layout(push_constant) uniform P { int count; uint mode; int Og; int N; int G; int iStep; int jStep; GEOMETRY } pc;
            """.replace("GEOMETRY", GEOMETRY_FIELDS);

    /**
     * Direct weight gradient, one workgroup per kernel element {@code dw[o, c, i, j]}: a strided
     * loop over {@code (n, p, q)} and a fixed-shape tree in shared memory, so the order of the
     * sum is fixed. Push: as {@link #conv2dDirect}, count = kernel elements (column side =
     * the gradient {@code O, gh, gw}).
     */
    static Kernel weightGradDirect() {
        String src = GlslKernels.HEADER + DIRECT_PUSH + """
                layout(std430, binding = 0) writeonly buffer Y { float y[]; };
                layout(std430, binding = 1) readonly buffer X { float x[]; };
                layout(std430, binding = 2) readonly buffer Gr { float g[]; };
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
}
