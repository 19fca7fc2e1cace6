package dev.jasg.nn.io;

import dev.jasg.core.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps a run's checkpoints in one root directory, one sub-directory per save named
 * {@code step-<step>}: keeps the last N, keeps the best K by a metric, and finds the latest
 * to resume from. Steps are ordered as numbers ({@code step-10} comes after {@code step-9}).
 *
 * <p>Each save is written into a fresh hidden directory {@code .tmp-step-<step>-<nonce>} and
 * becomes visible with one atomic rename, so a checkpoint directory is either complete or
 * absent; leftovers of a crashed save are removed when a manager is made. Pruning runs after
 * a successful save only, so a failed save never costs an older checkpoint.
 */
public final class CheckpointManager {
    /** Whether a smaller or a larger metric is better. */
    public enum Mode {
        /** Smaller is better (losses, errors). */
        MIN,
        /** Larger is better (accuracy, F1). */
        MAX
    }

    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");

    private final Path root;
    private final int keepLast;
    private final String metric;
    private final Mode mode;
    private final int keepBest;

    /**
     * A manager over {@code root} keeping the {@code keepLast} most recent checkpoints and
     * the {@code keepBest} best by {@code metric} under {@code mode} (a checkpoint in either
     * set survives). {@code metric} may be null when {@code keepBest} is 0.
     */
    public CheckpointManager(Path root, int keepLast, String metric, Mode mode, int keepBest) throws IOException {
        if (keepLast < 1) throw new IllegalArgumentException("keepLast must be at least 1, got " + keepLast);
        if (keepBest < 0) throw new IllegalArgumentException("keepBest must be >= 0, got " + keepBest);
        if (keepBest > 0 && (metric == null || mode == null)) throw new IllegalArgumentException("keepBest needs a metric and a mode");
        this.root = root;
        this.keepLast = keepLast;
        this.metric = metric;
        this.mode = mode;
        this.keepBest = keepBest;
        Files.createDirectories(root);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, ".tmp-step-*")) {
            for (Path stale : ds) deleteTree(stale);
        }
    }

    /** A manager keeping only the {@code keepLast} most recent checkpoints. */
    public CheckpointManager(Path root, int keepLast) throws IOException {
        this(root, keepLast, null, null, 0);
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    /** The directory the checkpoint of {@code step} is (or would be) stored in. */
    public Path directoryOf(long step) {
        return root.resolve("step-" + step);
    }

    /**
     * Saves {@code parameters} and {@code state} as the checkpoint of {@code state.step()},
     * replacing one of the same step, then prunes. Returns the checkpoint's directory.
     */
    public Path save(Parameters parameters, CheckpointState state) throws IOException {
        if (keepBest > 0 && !state.metrics().containsKey(metric)) {
            throw new IllegalArgumentException("state has no metric '" + metric + "' to rank checkpoints by; it has " + state.metrics().keySet());
        }
        Path target = directoryOf(state.step());
        Path tmp = root.resolve(".tmp-step-" + state.step() + "-" + Long.toUnsignedString(System.nanoTime(), 36));
        try {
            Checkpoint.save(tmp, parameters, state);
            if (Files.exists(target)) {
                // A directory cannot be renamed over a non-empty one: move the old aside first, under a name the constructor cleans up.
                Path old = root.resolve(".tmp-step-" + state.step() + "-replaced-" + Long.toUnsignedString(System.nanoTime(), 36));
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            AtomicFiles.forceDirectory(root);
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(tmp);
            } catch (IOException | UncheckedIOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        prune();
        return target;
    }

    /** The checkpoint directories, oldest step first. */
    public List<Path> list() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && STEP_DIR.matcher(p.getFileName().toString()).matches()) out.add(p);
            }
        }
        out.sort(Comparator.comparingLong(CheckpointManager::stepOf));
        return out;
    }

    /** The step number a checkpoint directory is named for. */
    public static long stepOf(Path dir) {
        Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(dir + " is not a checkpoint directory (step-<n>)");
        return Long.parseLong(m.group(1));
    }

    /** The checkpoint with the highest step, if any. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The checkpoint with the best metric (ties go to the later step), if any has the metric. */
    public Optional<Path> best() throws IOException {
        List<Path> ranked = rankedByMetric();
        return ranked.isEmpty() ? Optional.empty() : Optional.of(ranked.get(0));
    }

    /** Loads the latest checkpoint into {@code parameters} and returns its state; empty when there is none. */
    public Optional<CheckpointState> restoreLatest(Parameters parameters) throws IOException {
        Optional<Path> dir = latest();
        return dir.isEmpty() ? Optional.empty() : Optional.of(Checkpoint.load(dir.get(), parameters));
    }

    private List<Path> rankedByMetric() throws IOException {
        if (metric == null) throw new IllegalStateException("this manager ranks by no metric");
        record Scored(Path dir, long step, double value) {}
        List<Scored> scored = new ArrayList<>();
        for (Path p : list()) {
            Double v = Checkpoint.readState(p).metrics().get(metric);
            if (v != null && !v.isNaN()) scored.add(new Scored(p, stepOf(p), v));
        }
        Comparator<Scored> byValue = Comparator.comparingDouble(Scored::value);
        if (mode == Mode.MAX) byValue = byValue.reversed();
        scored.sort(byValue.thenComparing(Comparator.comparingLong(Scored::step).reversed()));
        return scored.stream().map(Scored::dir).toList();
    }

    private void prune() throws IOException {
        List<Path> all = list();
        Set<Path> keep = new HashSet<>(all.subList(Math.max(0, all.size() - keepLast), all.size()));
        if (keepBest > 0) {
            List<Path> ranked = rankedByMetric();
            keep.addAll(ranked.subList(0, Math.min(keepBest, ranked.size())));
        }
        for (Path p : all) {
            if (!keep.contains(p)) deleteTree(p);
        }
        AtomicFiles.forceDirectory(root);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
