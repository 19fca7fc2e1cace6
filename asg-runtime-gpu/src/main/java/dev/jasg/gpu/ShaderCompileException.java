package dev.jasg.gpu;

import dev.jasg.core.BackendException;

/** A generated GLSL kernel failed to compile to SPIR-V, or its pipeline could not be created; the message names the kernel and the op it serves. */
public class ShaderCompileException extends BackendException {
    private static final long serialVersionUID = 1L;

    /** A compile error with the kernel name and compiler log. */
    public ShaderCompileException(String message) {
        super(message);
    }
}
