package dev.jasg.gpu;

/** A byte range of a device buffer holding one tensor as 32-bit floats. */
record View(DeviceBuffer buffer, long offset, long bytes) {
    /** True when this range and {@code o} share a byte of the same buffer. */
    boolean overlaps(View o) {
        return buffer == o.buffer && offset < o.offset + Math.max(o.bytes, 1) && o.offset < offset + Math.max(bytes, 1);
    }

    /** The range bound to a descriptor: at least 4 bytes, since an empty range is not allowed. */
    long descriptorRange() {
        return Math.max(bytes, 4);
    }
}
