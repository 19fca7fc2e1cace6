package dev.jasg.opencl;

import org.jocl.cl_mem;

/**
 * Where one tensor lives: {@code bytes} of {@code buffer} at {@code offset}, and {@code mem}, a sub-buffer of
 * exactly that range (at least 4 bytes) that kernels take as their {@code __global float*}. Immutable.
 */
record View(cl_mem mem, cl_mem buffer, long offset, long bytes) {}
