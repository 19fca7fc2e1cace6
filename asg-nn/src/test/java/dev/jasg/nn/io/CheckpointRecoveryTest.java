package dev.jasg.nn.io;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static dev.jasg.nn.io.CheckpointTest.state;
import static dev.jasg.nn.io.CheckpointTest.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A manager recovers from a process killed at any point of a save or a prune, and restores
 * from a root it cannot write (issue 13 items 1, 2 and 3). The crash states are built on disk
 * directly, one row each: what a SIGKILL at that point leaves behind.
 */
class CheckpointRecoveryTest {
    @TempDir
    Path tmp;

    /** A complete checkpoint of {@code step} whose weights start with {@code scale}, in directory {@code name}. */
    static void complete(Path root, String name, long step, float scale, double loss) throws IOException {
        Checkpoint.save(root.resolve(name), store(scale), state(step, loss));
    }

    /** A crash state: what the kill left besides the complete step-1 (loss 0.5) and step-2 (loss 0.3). */
    interface Crash {
        void leave(Path root) throws IOException;
    }

    static Arguments row(String what, Crash crash, List<String> steps, Float step4) {
        return Arguments.of(what, crash, steps, step4);
    }

    static Stream<Arguments> crashes() {
        List<String> base = List.of("step-1", "step-2");
        List<String> with4 = List.of("step-1", "step-2", "step-4");
        return Stream.of(
                row("nothing", root -> {}, base, null),
                // Item 1: prune() killed while deleting an old checkpoint in place (the old code deleted the state file first).
                row("prune killed mid-delete: step dir without its state file", root -> {
                    complete(root, "step-3", 3, 3, 0.9);
                    Files.delete(root.resolve("step-3").resolve(Checkpoint.STATE_FILE));
                }, base, null),
                row("prune killed mid-delete: step dir without its tensor file", root -> {
                    complete(root, "step-3", 3, 3, 0.9);
                    Files.delete(root.resolve("step-3").resolve(Checkpoint.MODEL_FILE));
                }, base, null),
                row("step dir whose tensor file is shorter than its state says", root -> {
                    complete(root, "step-3", 3, 3, 0.9);
                    Path model = root.resolve("step-3").resolve(Checkpoint.MODEL_FILE);
                    byte[] bytes = Files.readAllBytes(model);
                    Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length - 8));
                }, base, null),
                row("empty step dir", root -> Files.createDirectories(root.resolve("step-3")), base, null),
                row("prune killed after renaming to trash", root -> {
                    complete(root, ".trash-step-3-k2j9", 3, 3, 0.9);
                    Files.delete(root.resolve(".trash-step-3-k2j9").resolve(Checkpoint.STATE_FILE));
                }, base, null),
                // A save killed while writing its temporary directory.
                row("save killed while writing", root -> {
                    complete(root, ".tmp-step-4-abc", 4, 40, 0.8);
                    Files.delete(root.resolve(".tmp-step-4-abc").resolve(Checkpoint.STATE_FILE));
                }, base, null),
                // Item 2: re-saving step 4 (old copy 4, new copy 40), killed at each point.
                row("re-save killed before moving the old copy aside", root -> {
                    complete(root, "step-4", 4, 4, 0.9);
                    complete(root, ".tmp-step-4-new1", 4, 40, 0.8);
                }, with4, 40f),
                row("re-save killed between the two renames", root -> {
                    complete(root, ".tmp-step-4-replaced-old1", 4, 4, 0.9);
                    complete(root, ".tmp-step-4-new1", 4, 40, 0.8);
                }, with4, 40f),
                row("re-save killed before deleting the old copy", root -> {
                    complete(root, "step-4", 4, 40, 0.8);
                    complete(root, ".tmp-step-4-replaced-old1", 4, 4, 0.9);
                }, with4, 40f),
                row("re-save killed while deleting the old copy", root -> {
                    complete(root, "step-4", 4, 40, 0.8);
                    complete(root, ".trash-step-4-old1", 4, 4, 0.9);
                    Files.delete(root.resolve(".trash-step-4-old1").resolve(Checkpoint.STATE_FILE));
                }, with4, 40f),
                row("only the old copy is complete", root -> {
                    complete(root, ".tmp-step-4-replaced-old1", 4, 4, 0.9);
                    complete(root, ".tmp-step-4-new1", 4, 40, 0.8);
                    Files.delete(root.resolve(".tmp-step-4-new1").resolve(Checkpoint.STATE_FILE));
                }, with4, 4f),
                row("step dir half-deleted, old copy complete", root -> {
                    complete(root, "step-4", 4, 40, 0.8);
                    Files.delete(root.resolve("step-4").resolve(Checkpoint.STATE_FILE));
                    complete(root, ".tmp-step-4-replaced-old1", 4, 4, 0.9);
                }, with4, 4f));
    }

    static Path baseRoot(Path tmp) throws IOException {
        Path root = tmp.resolve("run");
        complete(root, "step-1", 1, 1, 0.5);
        complete(root, "step-2", 2, 2, 0.3);
        return root;
    }

    static List<String> names(List<Path> dirs) {
        return dirs.stream().map(p -> p.getFileName().toString()).toList();
    }

    static List<String> entries(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("crashes")
    void aNewManagerRecoversFromAKillAtAnyPoint(String what, Crash crash, List<String> steps, Float step4) throws IOException {
        Path root = baseRoot(tmp);
        crash.leave(root);
        CheckpointManager m = new CheckpointManager(root, 2, "val_loss", CheckpointManager.Mode.MIN, 1);
        assertEquals(steps, entries(root), "only complete step directories are left, nothing hidden");
        assertEquals(steps, names(m.list()));
        if (step4 != null) assertEquals(step4.doubleValue(), Checkpoint.readTensors(root.resolve("step-4")).get("fc1.weight").get(0), "the newest complete copy wins");
        assertEquals("step-2", m.best().orElseThrow().getFileName().toString());
        assertEquals(steps.get(steps.size() - 1), m.latest().orElseThrow().getFileName().toString());
        // Saving and pruning work again: keep the last 2 and the best 1.
        m.save(store(5), state(5, 0.7));
        m.save(store(6), state(6, 0.6));
        assertEquals(List.of("step-2", "step-5", "step-6"), names(m.list()));
        assertEquals(List.of("step-2", "step-5", "step-6"), entries(root));
    }

    @Test
    void anIncompleteStepDirThatAppearsLaterIsSkipped() throws IOException {
        Path root = baseRoot(tmp);
        CheckpointManager m = new CheckpointManager(root, 2, "val_loss", CheckpointManager.Mode.MIN, 1);
        Files.createDirectories(root.resolve("step-9"));
        Files.writeString(root.resolve("step-9").resolve(Checkpoint.MODEL_FILE), "partial");
        assertEquals(List.of("step-1", "step-2"), names(m.list()));
        assertEquals("step-2", m.latest().orElseThrow().getFileName().toString());
        assertEquals("step-2", m.best().orElseThrow().getFileName().toString());
        assertEquals(2, m.restoreLatest(store(0)).orElseThrow().step());
        m.save(store(3), state(3, 0.4));
        assertEquals(List.of("step-2", "step-3"), names(m.list()));
    }

    @Test
    void pruneRenamesToTrashBeforeDeleting() throws IOException {
        Path root = tmp.resolve("run");
        java.util.List<String> moves = new java.util.ArrayList<>();
        CheckpointManager m = new CheckpointManager(root, 1, null, null, 0, new CheckpointManager.Writes() {
            @Override
            public void move(Path from, Path to) throws IOException {
                moves.add(from.getFileName() + " -> " + to.getFileName().toString().replaceAll("-[0-9a-z]+$", "-*"));
                CheckpointManager.DISK.move(from, to);
            }

            @Override
            public void delete(Path path) throws IOException {
                CheckpointManager.DISK.delete(path);
            }
        });
        m.save(store(1), state(1, 0.5));
        m.save(store(2), state(2, 0.5));
        assertTrue(moves.contains("step-1 -> .trash-step-1-*"), moves.toString());
    }

    /** How a root is made read-only. */
    enum ReadOnly {
        /** Every write of the manager fails as on a read-only mount (an injected failure: runs everywhere). */
        INJECTED,
        /** chmod a-w on the tree (skipped when running as root, where permissions stop nothing). */
        PERMISSIONS,
        /** chattr +i on the tree: stops even root (skipped where chattr is unavailable or not permitted). */
        IMMUTABLE
    }

    static final CheckpointManager.Writes FAILING = new CheckpointManager.Writes() {
        @Override
        public void move(Path from, Path to) throws IOException {
            throw new AccessDeniedException(from.toString(), to.toString(), "read-only (injected)");
        }

        @Override
        public void delete(Path path) throws IOException {
            throw new AccessDeniedException(path.toString(), null, "read-only (injected)");
        }
    };

    @ParameterizedTest
    @EnumSource(ReadOnly.class)
    void restoringWorksFromARootThatCannotBeWritten(ReadOnly how) throws IOException, InterruptedException {
        Path root = baseRoot(tmp);
        complete(root, "step-3", 3, 3, 0.9);
        Files.delete(root.resolve("step-3").resolve(Checkpoint.STATE_FILE));      // half-deleted by a killed prune
        complete(root, ".tmp-step-4-replaced-old1", 4, 4, 0.9);                   // a re-save killed between its renames
        complete(root, ".tmp-step-4-new1", 4, 40, 0.8);
        complete(root, ".tmp-step-5-abc", 5, 50, 0.1);                            // a save killed while writing
        Files.delete(root.resolve(".tmp-step-5-abc").resolve(Checkpoint.STATE_FILE));
        List<String> before = entries(root);
        CheckpointManager m;
        makeReadOnly(root, how);
        try {
            m = how == ReadOnly.INJECTED
                    ? new CheckpointManager(root, 2, "val_loss", CheckpointManager.Mode.MIN, 1, FAILING)
                    : new CheckpointManager(root, 2, "val_loss", CheckpointManager.Mode.MIN, 1);
            assertEquals(before, entries(root), "nothing was changed");
            // The newest complete copy of step 4 is found where the crash left it; incomplete directories are ignored.
            List<Path> list = m.list();
            assertEquals(List.of(1L, 2L, 4L), list.stream().map(CheckpointManager::stepOf).toList());
            assertEquals(root.resolve(".tmp-step-4-new1"), m.latest().orElseThrow());
            assertEquals(4, m.restoreLatest(store(0)).orElseThrow().step());
            var into = store(0);
            m.restoreLatest(into);
            assertEquals(40f, into.get("fc1.weight").get(0));
            assertEquals("step-2", m.best().orElseThrow().getFileName().toString());
        } finally {
            makeWritable(root, how);
        }
        // Once writable, the next manager finishes the recovery.
        CheckpointManager w = new CheckpointManager(root, 2, "val_loss", CheckpointManager.Mode.MIN, 1);
        assertEquals(List.of("step-1", "step-2", "step-4"), entries(root));
        assertEquals(40f, Checkpoint.readTensors(w.latest().orElseThrow()).get("fc1.weight").get(0));
    }

    static List<Path> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.sorted(Comparator.reverseOrder()).toList();
        }
    }

    static void makeReadOnly(Path root, ReadOnly how) throws IOException, InterruptedException {
        switch (how) {
            case INJECTED -> {}
            case PERMISSIONS -> {
                for (Path p : tree(root)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-xr-xr-x" : "r--r--r--"));
                if (stillWritable(root)) {
                    makeWritable(root, how);
                    Assumptions.abort("running as root: permissions do not stop writes here (the INJECTED and IMMUTABLE variants cover it)");
                }
            }
            case IMMUTABLE -> {
                int rc;
                try {
                    rc = new ProcessBuilder("chattr", "-R", "+i", root.toString()).redirectErrorStream(true).start().waitFor();
                } catch (IOException e) {
                    rc = -1;
                }
                if (rc != 0 || stillWritable(root)) {
                    makeWritable(root, how);
                    Assumptions.abort("chattr +i is not available or not permitted here");
                }
            }
        }
    }

    static boolean stillWritable(Path root) {
        try {
            Files.delete(Files.createFile(root.resolve(".probe")));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void makeWritable(Path root, ReadOnly how) throws IOException, InterruptedException {
        switch (how) {
            case INJECTED -> {}
            case PERMISSIONS -> {
                for (Path p : tree(root)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
            case IMMUTABLE -> new ProcessBuilder("chattr", "-R", "-i", root.toString()).redirectErrorStream(true).start().waitFor();
        }
    }
}
