package dev.jasg.gpu;

import dev.jasg.core.BackendException;

/**
 * The Vulkan device was lost (driver reset, GPU fault, a kernel that ran too long). The
 * backend cannot be used afterwards; close it and create a new one.
 */
public class DeviceLostException extends BackendException {
    private static final long serialVersionUID = 1L;

    /** A device-lost error with a message naming what was running. */
    public DeviceLostException(String message) {
        super(message);
    }
}
