package dev.jasg.nn.io;

import dev.jasg.core.Parameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps a run's checkpoints in one root directory, one sub-directory per save named
 * {@code step-<step>}: keeps the last N, keeps the best K by a metric, and finds the latest
 * to resume from. Steps are ordered as numbers ({@code step-10} comes after {@code step-9}).
 *
 * <p>Crash safety. Every change to the root is a rename, so a process killed at any point
 * leaves directories that a new manager can tell apart:
 * <ul>
 *   <li>{@code step-N}: a published checkpoint;</li>
 *   <li>{@code .tmp-step-N-<nonce>}: a save's new copy, written (state file last, see
 *       {@link Checkpoint#isComplete}) before it is renamed to {@code step-N};</li>
 *   <li>{@code .tmp-step-N-replaced-<nonce>}: when step N is saved again, its previous copy,
 *       moved aside until the new copy is in place, then deleted;</li>
 *   <li>{@code .trash-<name>-<nonce>}: a directory being deleted. Pruning and clean-up rename a
 *       directory here first, so a deletion cut short never leaves a half-deleted
 *       {@code step-N}.</li>
 * </ul>
 * The constructor recovers: for each step it keeps the newest complete copy (a complete new
 * copy, else a complete {@code step-N}, else a complete replaced copy; ties by the state file's
 * time), renames it to {@code step-N}, and deletes the other copies, every incomplete directory
 * and the trash. {@link #list()} and everything built on it see the same resolved view and skip
 * incomplete directories (with a logged warning), so a directory a crash left behind never
 * breaks {@link #save}, {@link #best()} or {@link #latest()}. Pruning runs after a successful
 * save only, so a failed save never costs an older checkpoint.
 *
 * <p>Read-only roots. A root that cannot be written (permissions, a read-only mount) can still be
 * restored from: the recovery writes that fail are skipped with a logged warning and nothing is
 * changed; {@link #list()}, {@link #latest()}, {@link #best()} and {@link #restoreLatest} then
 * return the newest complete copy of each step where the crash left it (possibly a hidden
 * {@code .tmp-step-N-...} directory) and ignore incomplete ones. Only {@link #save} needs to write.
 *
 * <p>Thread safety. A manager may be shared between threads: its methods are synchronized on
 * it. One writer per root: two managers (in one process or several) saving into the same root
 * at once are not supported, and a manager made while another process is saving may take that
 * save's directories for a crash's. Managers that only read (restoring, listing) may run next to
 * a writer; a checkpoint may then disappear between {@link #latest()} and loading it, when the
 * writer prunes it.
 */
public final class CheckpointManager {
    /** Whether a smaller or a larger metric is better. */
    public enum Mode {
        /** Smaller is better (losses, errors). */
        MIN,
        /** Larger is better (accuracy, F1). */
        MAX
    }

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointManager.class);

    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{1,18})");
    private static final Pattern NEW_COPY = Pattern.compile("\\.tmp-step-(\\d{1,18})-([0-9a-z]+)");
    private static final Pattern OLD_COPY = Pattern.compile("\\.tmp-step-(\\d{1,18})-replaced-([0-9a-z]+)");
    private static final String TRASH_PREFIX = ".trash-";

    /** The kinds of directory that hold a copy of a checkpoint, in the order recovery prefers them (last wins). */
    private enum Kind {
        /** A re-saved step's previous copy. */
        OLD,
        /** A published {@code step-N}. */
        STEP,
        /** A save's new copy, complete but not yet renamed. */
        NEW
    }

    /** One copy of a checkpoint found under the root. */
    private record Copy(Path dir, long step, Kind kind, boolean complete, FileTime time) {}

    /** The newest complete copy wins: by kind, then by the time its state file was written, then by name. */
    private static final Comparator<Copy> NEWEST_LAST = Comparator.comparing(Copy::kind)
            .thenComparing(Copy::time)
            .thenComparing(c -> c.dir().getFileName().toString());

    /**
     * The renames and deletions the manager makes, so a test can make them fail as a read-only
     * file system does (where running as root, permissions stop nothing).
     */
    interface Writes {
        /** Renames {@code from} to {@code to} atomically. */
        void move(Path from, Path to) throws IOException;

        /** Deletes a file or an empty directory, if present. */
        void delete(Path path) throws IOException;
    }

    /** The real file system. */
    static final Writes DISK = new Writes() {
        @Override
        public void move(Path from, Path to) throws IOException {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public void delete(Path path) throws IOException {
            Files.deleteIfExists(path);
        }
    };

    private final Path root;
    private final int keepLast;
    private final String metric;
    private final Mode mode;
    private final int keepBest;
    private final Writes writes;
    /** Directories already warned about, so a listing loop does not repeat the warning. */
    private final Set<Path> warned = new HashSet<>();

    /**
     * A manager over {@code root} keeping the {@code keepLast} most recent checkpoints and
     * the {@code keepBest} best by {@code metric} under {@code mode} (a checkpoint in either
     * set survives). {@code metric} may be null when {@code keepBest} is 0. Creates the root if
     * missing and recovers from an interrupted save or prune (see the class comment); on a root
     * that cannot be written the recovery is skipped with a warning.
     */
    public CheckpointManager(Path root, int keepLast, String metric, Mode mode, int keepBest) throws IOException {
        this(root, keepLast, metric, mode, keepBest, DISK);
    }

    /** A manager keeping only the {@code keepLast} most recent checkpoints. */
    public CheckpointManager(Path root, int keepLast) throws IOException {
        this(root, keepLast, null, null, 0, DISK);
    }

    CheckpointManager(Path root, int keepLast, String metric, Mode mode, int keepBest, Writes writes) throws IOException {
        if (keepLast < 1) throw new IllegalArgumentException("keepLast must be at least 1, got " + keepLast);
        if (keepBest < 0) throw new IllegalArgumentException("keepBest must be >= 0, got " + keepBest);
        if (keepBest > 0 && (metric == null || mode == null)) throw new IllegalArgumentException("keepBest needs a metric and a mode");
        this.root = root;
        this.keepLast = keepLast;
        this.metric = metric;
        this.mode = mode;
        this.keepBest = keepBest;
        this.writes = writes;
        // Not createDirectories on an existing root: on a read-only mount even that can fail.
        if (!Files.isDirectory(root)) Files.createDirectories(root);
        recover();
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
    public synchronized Path save(Parameters parameters, CheckpointState state) throws IOException {
        if (keepBest > 0 && !state.metrics().containsKey(metric)) {
            throw new IllegalArgumentException("state has no metric '" + metric + "' to rank checkpoints by; it has " + state.metrics().keySet());
        }
        Path target = directoryOf(state.step());
        Path tmp = root.resolve(".tmp-step-" + state.step() + "-" + nonce());
        Path old = null;
        try {
            Checkpoint.save(tmp, parameters, state);
            AtomicFiles.forceDirectory(root);
            if (Files.exists(target)) {
                // A directory cannot be renamed over a non-empty one: move the old copy aside first, under a name recovery knows.
                old = root.resolve(".tmp-step-" + state.step() + "-replaced-" + nonce());
                writes.move(target, old);
                AtomicFiles.forceDirectory(root);
            }
            writes.move(tmp, target);
            AtomicFiles.forceDirectory(root);
        } catch (IOException | RuntimeException e) {
            if (old != null && !Files.exists(target)) {
                // The new copy could not take the old one's place: put the old one back. If that fails too, both copies stay
                // for recovery (and list()) to pick the new one.
                try {
                    writes.move(old, target);
                    AtomicFiles.forceDirectory(root);
                    old = null;
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (old == null) {
                try {
                    deleteTree(tmp);
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        if (old != null) {
            try {
                trash(old);
            } catch (IOException e) {
                LOG.warn("checkpoint {}: cannot delete the replaced copy {} ({}); the next manager on {} deletes it", target, old, e.toString(), root);
            }
        }
        prune();
        return target;
    }

    /**
     * The checkpoint directories, oldest step first: the newest complete copy of each step
     * (its {@code step-N} directory unless a crash's recovery could not be written).
     * Incomplete directories are skipped with a logged warning.
     */
    public synchronized List<Path> list() throws IOException {
        return view().values().stream().map(Copy::dir).toList();
    }

    /** The step number a checkpoint directory is named for ({@code step-N}, or a save's {@code .tmp-step-N-...} copy). */
    public static long stepOf(Path dir) {
        Copy c = copyOf(dir, false);
        if (c == null) throw new IllegalArgumentException(dir + " is not a checkpoint directory (step-<n>)");
        return c.step();
    }

    /** The checkpoint with the highest step, if any. */
    public synchronized Optional<Path> latest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The checkpoint with the best metric (ties go to the later step), if any has the metric. */
    public synchronized Optional<Path> best() throws IOException {
        List<Path> ranked = rankedByMetric();
        return ranked.isEmpty() ? Optional.empty() : Optional.of(ranked.get(0));
    }

    /** Loads the latest checkpoint into {@code parameters} and returns its state; empty when there is none. */
    public synchronized Optional<CheckpointState> restoreLatest(Parameters parameters) throws IOException {
        Optional<Path> dir = latest();
        return dir.isEmpty() ? Optional.empty() : Optional.of(Checkpoint.load(dir.get(), parameters));
    }

    private List<Path> rankedByMetric() throws IOException {
        if (metric == null) throw new IllegalStateException("this manager ranks by no metric");
        record Scored(Path dir, long step, double value) {}
        List<Scored> scored = new ArrayList<>();
        for (Path p : list()) {
            Double v;
            try {
                v = Checkpoint.readState(p).metrics().get(metric);
            } catch (IOException | RuntimeException e) {
                // Unreadable (a newer format, a hand-edited file, deleted meanwhile): it cannot be ranked, and must not stop the others.
                warnOnce(p, "cannot read the state of checkpoint {} ({}); it is not ranked by '{}'", p, e.toString(), metric);
                continue;
            }
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
            if (!keep.contains(p)) trash(p);
        }
    }

    // ---- the resolved view and recovery ----

    /** Every directory under the root that holds (or held, or is becoming) a checkpoint copy. */
    private List<Copy> scan() throws IOException {
        List<Copy> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                if (!Files.isDirectory(p)) continue;
                Copy c = copyOf(p, true);
                if (c != null) out.add(c);
            }
        }
        return out;
    }

    /** The copy {@code dir} is by its name, or null when the name is not a checkpoint's; {@code inspect} checks completeness. */
    private static Copy copyOf(Path dir, boolean inspect) {
        String name = dir.getFileName().toString();
        Matcher m;
        Kind kind;
        if ((m = STEP_DIR.matcher(name)).matches()) kind = Kind.STEP;
        else if ((m = OLD_COPY.matcher(name)).matches()) kind = Kind.OLD;
        else if ((m = NEW_COPY.matcher(name)).matches()) kind = Kind.NEW;
        else return null;
        long step = Long.parseLong(m.group(1));
        if (!inspect) return new Copy(dir, step, kind, true, FileTime.fromMillis(0));
        boolean complete = Checkpoint.isComplete(dir);
        FileTime time = FileTime.fromMillis(0);
        if (complete) {
            try {
                time = Files.getLastModifiedTime(dir.resolve(Checkpoint.STATE_FILE));
            } catch (IOException e) {
                complete = false; // vanished meanwhile
            }
        }
        return new Copy(dir, step, kind, complete, time);
    }

    /** The newest complete copy of each step, by step; warns once about each incomplete {@code step-N}. */
    private Map<Long, Copy> view() throws IOException {
        return winners(scan(), true);
    }

    private Map<Long, Copy> winners(List<Copy> copies, boolean warn) {
        Map<Long, Copy> best = new TreeMap<>();
        for (Copy c : copies) {
            if (!c.complete()) {
                if (warn && c.kind() == Kind.STEP) {
                    warnOnce(c.dir(), "skipping incomplete checkpoint directory {} (no {}, or its {} is not the size the state records):"
                            + " a save or deletion was cut short; a new manager on {} deletes it", c.dir(), Checkpoint.STATE_FILE, Checkpoint.MODEL_FILE, root);
                }
                continue;
            }
            best.merge(c.step(), c, (a, b) -> NEWEST_LAST.compare(a, b) >= 0 ? a : b);
        }
        return best;
    }

    /**
     * Finishes or undoes whatever a killed process left: promotes each step's newest complete
     * copy to {@code step-N}, deletes every other copy, incomplete directory and the trash. A
     * write that fails (a read-only root) is logged and skipped; reading works without it.
     */
    private void recover() throws IOException {
        List<Copy> copies = scan();
        Map<Long, Copy> winners = winners(copies, false);
        Set<Path> keep = new HashSet<>();
        for (Copy w : winners.values()) {
            Path target = directoryOf(w.step());
            keep.add(w.dir());
            if (w.kind() == Kind.STEP) continue;
            try {
                // Whatever holds the name now is older or incomplete: out of the way first (a crash here leaves w to be promoted next time).
                if (Files.exists(target)) trash(target);
                writes.move(w.dir(), target);
                AtomicFiles.forceDirectory(root);
                keep.remove(w.dir());
                keep.add(target);
                LOG.warn("checkpoint of step {}: a save was interrupted; recovered its newest complete copy {} as {}", w.step(), w.dir().getFileName(), target);
            } catch (IOException | UnsupportedOperationException e) {
                cannotWrite("promote " + w.dir().getFileName() + " to " + target.getFileName(), e);
            }
        }
        List<Path> debris = new ArrayList<>();
        for (Copy c : copies) {
            if (!keep.contains(c.dir()) && Files.exists(c.dir())) debris.add(c.dir());
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, TRASH_PREFIX + "*")) {
            for (Path t : ds) debris.add(t);
        }
        for (Path d : debris) {
            try {
                if (d.getFileName().toString().startsWith(TRASH_PREFIX)) {
                    deleteTree(d);
                } else {
                    LOG.warn("deleting {}: {}", d, Checkpoint.isComplete(d) ? "an older copy of a checkpoint that was saved again"
                            : "an incomplete checkpoint directory left by a save or deletion that was cut short");
                    trash(d);
                }
            } catch (IOException | UnsupportedOperationException e) {
                cannotWrite("delete " + d.getFileName(), e);
            }
        }
    }

    private boolean warnedReadOnly;

    private void cannotWrite(String what, Exception e) {
        if (!warnedReadOnly) {
            warnedReadOnly = true;
            LOG.warn("checkpoint root {} cannot be written ({}): recovery skipped, restoring works from the complete checkpoints"
                    + " as they are and incomplete directories are ignored", root, e.toString());
        }
        LOG.debug("could not {} in {}", what, root, e);
    }

    private void warnOnce(Path dir, String format, Object... args) {
        if (warned.add(dir)) LOG.warn(format, args);
    }

    /** Renames {@code dir} into the trash, forces the root, then deletes it; only the first step has to succeed for the manager. */
    private void trash(Path dir) throws IOException {
        String name = dir.getFileName().toString();
        Path t = root.resolve(TRASH_PREFIX + (name.startsWith(".tmp-") ? name.substring(5) : name) + "-" + nonce());
        writes.move(dir, t);
        AtomicFiles.forceDirectory(root);
        try {
            deleteTree(t);
        } catch (IOException e) {
            LOG.warn("cannot delete {} ({}); the next manager on {} deletes it", t, e.toString(), root);
        }
    }

    private void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) writes.delete(p);
        }
    }

    private static String nonce() {
        return Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }
}
