package dev.jasg.gpu;

/**
 * A generated compute kernel: a unique name (the pipeline cache key), its GLSL source,
 * and the number of storage buffers it binds (binding 0 is the output).
 */
record Kernel(String name, String source, int buffers) {}
