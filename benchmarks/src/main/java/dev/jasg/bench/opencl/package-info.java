/** Benchmarks of the OpenCL backend, runnable as main classes on a GPU machine. */
package dev.jasg.bench.opencl;
