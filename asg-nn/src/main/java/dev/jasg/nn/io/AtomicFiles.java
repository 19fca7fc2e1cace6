package dev.jasg.nn.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement: the new content goes to a temporary file in the target's
 * directory, is forced to disk, and is then renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}. Until the rename the old file is untouched, so a
 * crash, a full disk or an exception while writing leaves it byte-identical; after the rename
 * the directory entry is forced too, so the new name survives a power cut.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes a file's content to a stream. */
    @FunctionalInterface
    public interface Body {
        /** Writes the whole content to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code body} to a temporary sibling of {@code target}, forces it to disk and
     * returns its path; the caller moves it into place with {@link #commit}. On failure the
     * temporary file is deleted and the exception is rethrown.
     */
    public static Path writeTemp(Path target, Body body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream raw = Channels.newOutputStream(ch);
            // Not closed by us: closing it would close the channel before force().
            BufferedOutputStream out = new BufferedOutputStream(raw, 1 << 16);
            body.writeTo(out);
            out.flush();
            ch.force(true);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(tmp, e);
            throw e;
        }
        return tmp;
    }

    /** Renames {@code tmp} over {@code target} atomically and forces the directory entry to disk. */
    public static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            deleteQuietly(tmp, e);
            throw new IOException("the file system of " + target + " cannot rename atomically; refusing a non-atomic save", e);
        }
        forceDirectory(target.toAbsolutePath().getParent());
    }

    /** Replaces {@code target} with the content {@code body} writes, atomically. */
    public static void write(Path target, Body body) throws IOException {
        commit(writeTemp(target, body), target);
    }

    /** Same as {@link #write} with I/O errors as {@link UncheckedIOException}. */
    public static void writeUnchecked(Path target, Body body) {
        try {
            write(target, body);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Forces a directory's entries to disk where the platform allows it (Linux, macOS; not Windows). */
    public static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory as a channel; the rename itself is still atomic there.
        }
    }

    static void deleteQuietly(Path p, Throwable cause) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }
}
