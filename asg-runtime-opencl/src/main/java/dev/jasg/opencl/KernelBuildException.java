package dev.jasg.opencl;

import dev.jasg.core.BackendException;

/** An OpenCL C program did not build on the device; the message names the {@code .cl} file and carries the build log (file:line: error). */
public final class KernelBuildException extends BackendException {
    private static final long serialVersionUID = 1L;

    /** An error naming the file, the device and the compiler's log. */
    public KernelBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
