package dev.jasg.gpu;

import dev.jasg.core.BackendException;

/** The Vulkan device or host ran out of memory while allocating or running; the message names what was being allocated and its size. */
public class DeviceMemoryException extends BackendException {
    private static final long serialVersionUID = 1L;

    /** An out-of-memory error with a message naming the allocation. */
    public DeviceMemoryException(String message) {
        super(message);
    }
}
