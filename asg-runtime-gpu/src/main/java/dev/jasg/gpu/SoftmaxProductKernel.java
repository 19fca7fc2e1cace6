package dev.jasg.gpu;

import dev.jasg.core.DType;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.Strides;

/**
 * A product and the softmax of its result along the last axis as one kernel ({@code matmul_softmax.comp}): attention's
 * {@code softmax(q k^T)}, with the elementwise ops between them (a mask's {@code where}) as the product's epilogue. A
 * workgroup computes 32 whole rows of the product in registers, folds each row's maximum and sum, and stores only the
 * weights, so the scores ({@code [8,12,1024,1024]} in a GPT-2-sized step: 400 MB) are never written and read back.
 *
 * <p>Taken ({@link Fusion}) when the softmax is f32 over the last axis of an f32 product read by nothing else (the
 * epilogue's members aside), the row is at most {@link #MAX_COLUMNS} long and a multiple of 4, the depth a multiple of
 * {@link #BK}, and the kernel's shared memory fits the device. Off with {@code -Djasg.vulkan.softmaxProducts=false}, to
 * compare. Stateless; thread-safe.
 */
final class SoftmaxProductKernel {
    /** System property: {@code false} keeps the product and the softmax apart (two kernels, the scores through memory). */
    static final String PROPERTY = "jasg.vulkan.softmaxProducts";
    /** The longest row: columns held in registers, 16 an invocation. */
    static final int MAX_COLUMNS = 1024;
    /** Rows a workgroup computes. */
    static final int BM = 32;
    /** The depth of a step. */
    static final int BK = 8;

    private SoftmaxProductKernel() {}

    /** Whether the property leaves the rule on (the default). */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY));
    }

    /** The columns the kernel holds for rows of {@code n}: {@code n} rounded up to 256. */
    static int columns(int n) {
        return (n + 255) / 256 * 256;
    }

    /** Shared memory of the kernel for rows of {@code n}: A's and B's step and the rows' partials. */
    static int sharedBytes(int n) {
        return 4 * (BK * BM + BK * columns(n) + BM * 8);
    }

    /**
     * Whether softmax {@code s} over the result of product {@code p} (directly or through elementwise ops) runs as one
     * kernel on a device with {@code maxSharedBytes} of shared memory a workgroup (see the class comment).
     */
    static boolean fits(Node s, Node p, Program.Binding b, dev.jasg.core.Graph g, int maxSharedBytes) {
        if (!enabled() || !(s.op() instanceof Op.Softmax sm) || !(p.op() instanceof Op.MatMul)) return false;
        int[] od = b.shape(s.id()).dims();
        if (od.length < 2 || sm.axis() != od.length - 1 && sm.axis() != -1) return false;
        if (s.dtype() != DType.F32 || p.dtype() != DType.F32 || g.node(p.input(0)).dtype() != DType.F32 || g.node(p.input(1)).dtype() != DType.F32) {
            return false;
        }
        Strides.MatmulGeometry geo = Strides.matmul(b.shape(p.input(0)).dims(), b.shape(p.input(1)).dims());
        int n = geo.n(), k = geo.k();
        return n > 0 && n <= MAX_COLUMNS && n % 4 == 0 && k > 0 && k % BK == 0 && geo.m() > 0
                && geo.batch().rank() <= MatMulKernel.MAX_BATCH_RANK && sharedBytes(n) <= maxSharedBytes;
    }

    private static Object[] defines(int n, MatMulKernel.Layout layout) {
        return new Object[] {"NCOLS", columns(n) + "u", "TRANS_A", layout.transA() ? 1 : 0, "TRANS_B", layout.transB() ? 1 : 0};
    }

    private static String name(int n, MatMulKernel.Layout layout) {
        return "matmul_softmax_" + columns(n) + (layout.transA() ? "_ta" : "") + (layout.transB() ? "_tb" : "");
    }

    /** The kernel for rows of {@code n} columns, operands read as {@code layout} says, no epilogue. Buffers: out, A, B. */
    static Kernel kernel(int n, MatMulKernel.Layout layout) {
        return GlslKernels.kernel(name(n, layout), "matmul_softmax.comp", 3, GlslKernels.with(defines(n, layout), "EPILOGUE", 0));
    }

    /** The kernel with group {@code epilogue}'s members applied to every score before the softmax, its externals from binding 3 on. */
    static Kernel kernel(int n, MatMulKernel.Layout layout, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        return GlslKernels.epilogue(name(n, layout), "matmul_softmax.comp", defines(n, layout), epilogue, g);
    }
}
