/**
 * The OpenCL backend ({@code Backends.create("opencl")}): runs graphs on any OpenCL 1.2 device through JOCL
 * (a GPU vendor's driver, or pocl on the CPU), with OpenCL C kernels shipped as {@code .cl} resources.
 */
package dev.jasg.opencl;
