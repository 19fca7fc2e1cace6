package dev.jasg.gpu;

import java.util.ArrayList;
import java.util.List;

/**
 * First-fit placement of tensors in one buffer with coalescing free ranges: the memory
 * plan of a run. Tensors freed after their last use leave room for later ones, so the
 * buffer's size is the peak of what is live at once, not the sum of every node.
 */
final class Arena {
    private final long alignment;
    private final List<long[]> free = new ArrayList<>();
    private long top;

    Arena(long alignment) {
        this.alignment = alignment;
    }

    /** Offset of a new range of {@code bytes} (rounded up to the alignment; at least one unit). */
    long allocate(long bytes) {
        long size = align(Math.max(bytes, 1));
        for (int i = 0; i < free.size(); i++) {
            long[] f = free.get(i);
            if (f[1] >= size) {
                long at = f[0];
                f[0] += size;
                f[1] -= size;
                if (f[1] == 0) free.remove(i);
                return at;
            }
        }
        // Grow into the top free range if it ends at the top.
        if (!free.isEmpty()) {
            long[] last = free.get(free.size() - 1);
            if (last[0] + last[1] == top) {
                free.remove(free.size() - 1);
                top = last[0] + size;
                return last[0];
            }
        }
        long at = top;
        top += size;
        return at;
    }

    /** Returns the range at {@code offset} of {@code bytes} (as given to {@link #allocate}). */
    void release(long offset, long bytes) {
        long size = align(Math.max(bytes, 1));
        int i = 0;
        while (i < free.size() && free.get(i)[0] < offset) i++;
        free.add(i, new long[] {offset, size});
        if (i + 1 < free.size() && offset + size == free.get(i + 1)[0]) {
            free.get(i)[1] += free.get(i + 1)[1];
            free.remove(i + 1);
        }
        if (i > 0 && free.get(i - 1)[0] + free.get(i - 1)[1] == offset) {
            free.get(i - 1)[1] += free.get(i)[1];
            free.remove(i);
        }
    }

    /** The peak size in bytes. */
    long size() {
        return Math.max(top, alignment);
    }

    private long align(long v) {
        return (v + alignment - 1) / alignment * alignment;
    }
}
