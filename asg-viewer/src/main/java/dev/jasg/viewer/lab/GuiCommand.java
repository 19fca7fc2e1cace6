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
    // ---- end phase D ----

    /** End the session: the loop finishes after the current step. */
    record Stop() implements GuiCommand {}
}
