/**
 * The CPU backend ({@code Backends.create("cpu")}): f32 kernels on the JVM heap.
 *
 * <p>{@link dev.jasg.cpu.CpuBackend#compile} checks the graph chain and the parameter
 * store. Each {@link dev.jasg.cpu.CpuExecutable} plans memory once per binding of the
 * symbolic dimensions: every computed node gets a pooled {@code float[]} that is reused
 * once the node's last reader has run, so a run after the first allocates no buffers.
 *
 * <p>Buffer rules:
 * <ul>
 *   <li>Inputs are read straight from the fed arrays and parameters straight from the
 *       store's arrays; constants from the graph. No kernel ever writes those arrays.</li>
 *   <li>A reshape (and a cast, permute, expand, slice or concat that changes nothing)
 *       aliases its input's buffer: the buffers are dense and row-major, so it is the same
 *       data. The shared buffer lives until the last reader of any of its aliases.</li>
 *   <li>After every node has run, outputs rooted in a parameter array are copied, values
 *       rooted outside the pool are staged, and only then are the assignments written into
 *       the parameters' arrays, so {@code a := b, b := a} swaps.</li>
 *   <li>Outputs are copied to the host only when asked for, and only until the next run.</li>
 * </ul>
 *
 * <p>Kernels are static, stateless classes (EJML style): {@code ElementwiseKernels},
 * {@code ReduceKernels}, {@code MatMulKernel}, {@code ShapeKernels}, {@code SoftmaxKernels},
 * {@code CastKernel}. Large ones split their work over one shared pool of daemon threads.
 */
package dev.jasg.cpu;
