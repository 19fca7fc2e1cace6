/** Benchmarks of the Vulkan backend, runnable as main classes on a GPU machine. */
package dev.jasg.bench.gpu;
