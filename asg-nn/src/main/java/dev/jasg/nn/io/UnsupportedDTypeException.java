package dev.jasg.nn.io;

import java.nio.file.Path;

/**
 * A well-formed file holds a tensor whose element type JASG cannot represent (a complex
 * {@link SafeTensorsDType#C64} tensor): the file opens and its other tensors read; only
 * asking for this one fails. The message names the file, the tensor and its dtype.
 */
public class UnsupportedDTypeException extends FormatException {
    private static final long serialVersionUID = 1L;

    private final String tensor;
    private final SafeTensorsDType dtype;

    /** Tensor {@code tensor} of {@code file} has {@code dtype}, which has no host representation. */
    public UnsupportedDTypeException(Path file, String tensor, SafeTensorsDType dtype) {
        super(file, "tensor '" + tensor + "' has dtype " + dtype + ", which JASG cannot represent (no host type holds it);"
                + " the file's other tensors can be read");
        this.tensor = tensor;
        this.dtype = dtype;
    }

    /** The tensor's name. */
    public String tensor() {
        return tensor;
    }

    /** The tensor's dtype. */
    public SafeTensorsDType dtype() {
        return dtype;
    }
}
