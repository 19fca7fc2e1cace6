package dev.jasg.nn.io;

import dev.jasg.core.JasgException;

import java.nio.file.Path;

/**
 * A file is not what its format says it must be: a truncated header, an offset out of
 * range, a size that does not match the declared shape. The message names the file and the
 * problem. Readers throw it before anything is allocated from the bad values, and nothing
 * partial is returned.
 */
public class FormatException extends JasgException {
    private static final long serialVersionUID = 1L;

    /** A problem in {@code file}; the message reads {@code "<file>: <problem>"}. */
    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /** A problem in {@code file} caused by {@code cause} (e.g. a JSON parse error). */
    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
