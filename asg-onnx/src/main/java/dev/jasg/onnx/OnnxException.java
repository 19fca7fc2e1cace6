package dev.jasg.onnx;

import dev.jasg.core.JasgException;

/**
 * An ONNX file that cannot be imported: not a valid model (truncated, corrupted), a tensor whose
 * declared size disagrees with the bytes present, an external-data path outside the model's
 * folder, an opset outside 13-18, or a node JASG cannot express. The message names the file, the
 * node or tensor and the offending value.
 */
public class OnnxException extends JasgException {
    private static final long serialVersionUID = 1L;

    /** An import error described by {@code message}. */
    public OnnxException(String message) {
        super(message);
    }

    /** An import error described by {@code message}, caused by {@code cause}. */
    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
