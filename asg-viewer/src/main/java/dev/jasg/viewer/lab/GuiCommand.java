package dev.jasg.viewer.lab;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Op;

import java.util.Objects;

/**
 * What the viewer asks of the training thread, the reverse channel of
 * {@link dev.jasg.nn.train.ComputeUpdate}. A {@link LabSession} applies commands between steps, in
 * the order they were sent. Node ids are those of the forward and gradient graphs of the last
 * {@link dev.jasg.nn.train.ComputeUpdate.GraphReady}; an op edit ({@link ReplaceOp},
 * {@link EditConstant}) keeps every id, a graph edit ({@link EditGraph}) shifts the ids after the
 * inserted or deleted nodes, and the new graph comes in the next {@code GraphReady}.
 */
public sealed interface GuiCommand {
    /** Stop stepping until {@link Resume} or {@link Step}. */
    record Pause() implements GuiCommand {}

    /** Continue stepping. */
    record Resume() implements GuiCommand {}

    /** Run exactly one step, then stay paused. */
    record Step() implements GuiCommand {}

    /** Put every weight back to its initial value and the optimizer state to zero; the step count goes on. */
    record ResetWeights() implements GuiCommand {}

    /**
     * Send {@link dev.jasg.nn.train.NodeStats} of node {@code node} now, and keep sending them a few
     * times a second while training runs (the inspector's live statistics); a negative id stops that.
     */
    record RequestStats(int node) implements GuiCommand {}

    /**
     * Replace forward node {@code node}'s op by {@code op}, which must give the same shape and dtype
     * from the same inputs (an activation by another, say). The step is recompiled with the weights
     * and optimizer state kept, and training continues.
     */
    record ReplaceOp(int node, Op op) implements GuiCommand {
        /** Checks the arguments. */
        public ReplaceOp {
            Objects.requireNonNull(op, "op");
        }

        /** Replace activation node {@code node} by {@code activation}. */
        public static ReplaceOp activation(int node, Activation activation) {
            return new ReplaceOp(node, activation.op());
        }
    }

    /** Give constant node {@code node} a new value of the same shape; the step is recompiled. */
    record EditConstant(int node, HostTensor value) implements GuiCommand {
        /** Checks the arguments. */
        public EditConstant {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Check a {@link GraphEdit} and, when {@code apply}, apply it if it fits; the outcome completes
     * {@code result} on the training thread. {@link LabSession#preview} and {@link LabSession#apply}
     * send it.
     */
    record EditGraph(GraphEdit edit, boolean apply, java.util.concurrent.CompletableFuture<EditPreview> result) implements GuiCommand {
        /** Checks the arguments. */
        public EditGraph {
            Objects.requireNonNull(edit, "edit");
            Objects.requireNonNull(result, "result");
        }
    }

    // ---- phase D (issue 17): layer resizing ----
    /**
     * Check a {@link LayerResize} and, when {@code apply}, apply it if its cascade succeeds; the
     * outcome completes {@code result} on the training thread. {@link LabSession#preview(LayerResize)}
     * and {@link LabSession#apply(LayerResize)} send it.
     */
    record ResizeLayer(LayerResize resize, boolean apply, java.util.concurrent.CompletableFuture<ResizePreview> result) implements GuiCommand {
        /** Checks the arguments. */
        public ResizeLayer {
            Objects.requireNonNull(resize, "resize");
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * Run {@code task} on the training thread between steps (the session's checkpoint save and
     * partial load use it, so they never race a step).
     */
    record RunTask(Runnable task) implements GuiCommand {
        /** Checks the argument. */
        public RunTask {
            Objects.requireNonNull(task, "task");
        }
    }

    /**
     * Profile every following step ({@link dev.jasg.core.Profiling}) when {@code on}, and hand each
     * step's {@link LabProfile} to {@code sink} (on the training thread); off stops both.
     */
    record SetProfiling(boolean on, java.util.function.Consumer<LabProfile> sink) implements GuiCommand {}

    /**
     * Switch {@link dev.jasg.core.Anomaly} mode (process-wide) on or off: with it on, a step that
     * makes a NaN or an infinity fails with an {@link dev.jasg.core.AnomalyException} naming the first
     * node that produced one, which is also handed to {@code sink} (on the training thread).
     */
    record SetAnomalyMode(boolean on, java.util.function.Consumer<dev.jasg.core.AnomalyException> sink) implements GuiCommand {}

    /** List the layers {@link LayerResize} can edit, by scope, with their kind and settings. */
    record ListEditableLayers(java.util.concurrent.CompletableFuture<java.util.List<EditableLayer>> result) implements GuiCommand {
        /** Checks the argument. */
        public ListEditableLayers {
            Objects.requireNonNull(result, "result");
        }
    }

    /** Save the session's parameters and optimizer state as a checkpoint in {@code dir} ({@link LabSession#saveCheckpoint}). */
    record SaveCheckpoint(java.nio.file.Path dir, java.util.concurrent.CompletableFuture<java.nio.file.Path> result) implements GuiCommand {
        /** Checks the arguments. */
        public SaveCheckpoint {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(result, "result");
        }
    }

    /** Load what fits of the checkpoint in {@code dir} ({@link LabSession#loadCheckpoint}). */
    record LoadCheckpoint(java.nio.file.Path dir, java.util.concurrent.CompletableFuture<dev.jasg.nn.io.PartialLoad> result) implements GuiCommand {
        /** Checks the arguments. */
        public LoadCheckpoint {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(result, "result");
        }
    }
    // ---- end phase D ----

    /** End the session: the loop finishes after the current step. */
    record Stop() implements GuiCommand {}
}
