/**
 * The Vulkan compute backend: {@link dev.jasg.gpu.VulkanBackend}, found by
 * {@link java.util.ServiceLoader} as {@code vulkan}. Kernels are GLSL generated per op
 * ({@code GlslKernels}, {@code MatMulKernel}), compiled with shaderc and cached; a compiled
 * chain records all its dispatches into one command buffer per binding of the symbolic
 * dimensions ({@code ExecutionPlan}).
 */
package dev.jasg.gpu;
