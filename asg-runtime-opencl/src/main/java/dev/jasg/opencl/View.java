package dev.jasg.opencl;

import org.jocl.cl_mem;

/**
 * Where one tensor lives: {@code bytes} of {@code buffer} at byte {@code offset}. Kernels take it as the pair
 * (buffer, {@link #elements() element offset}) and move their pointer by the offset, so no sub-buffer is ever made.
 * The offset is a whole number of floats. Immutable.
 */
record View(cl_mem buffer, long offset, long bytes) {
    View {
        if (buffer == null) throw new IllegalArgumentException("a view needs a buffer");
        if (offset < 0 || offset % 4 != 0 || bytes < 0) {
            throw new IllegalArgumentException("a view must start at a non-negative whole float, got byte offset " + offset + " for " + bytes + " bytes");
        }
    }

    /** The offset in floats, the kernels' offset argument. */
    long elements() {
        return offset / 4;
    }
}
