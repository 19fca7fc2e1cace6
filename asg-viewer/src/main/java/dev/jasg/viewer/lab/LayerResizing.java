package dev.jasg.viewer.lab;

import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.nn.Layer;
import dev.jasg.nn.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a {@link LabSession} checks and applies a {@link LayerResize}, on its training thread: the
 * resize is recorded in the session's {@link ResizedModel}, a trainer is built over a fresh
 * parameter store (shape inference on the edited forward graph, gradient graph rebuilt, the step
 * compiled), and the parameters of the old and new graphs are compared by name and shape. A
 * preview or a failure undoes the record and drops the fresh store; an apply copies every
 * parameter and optimizer state tensor whose shape did not change into the fresh store and swaps
 * it in. Not thread-safe: called on the training thread only.
 */
final class LayerResizing {
    private static final Logger LOG = LoggerFactory.getLogger(LayerResizing.class);

    private LayerResizing() {}

    static ResizePreview resize(LabSession s, LayerResize r, boolean apply) {
        ResizedModel resizable = s.resizedModel();
        RewrittenModel.Snapshot snapshot = s.model().snapshot();
        Map<String, Layer> cascadeBefore = resizable.cascade();
        Trainer current = s.trainerForResize();
        Layer was;
        try {
            was = resizable.record(r);
        } catch (RuntimeException e) {
            return failed(r, e);
        }
        Parameters fresh = s.backend().newParameters(s.seedForResize());
        Trainer next;
        try {
            next = s.newTrainerForResize(fresh);
        } catch (RuntimeException e) {
            undo(s, r, was, snapshot, cascadeBefore);
            close(fresh);
            ResizePreview.Failed f = failed(r, e);
            LOG.info("resize rejected ({}): {}", r.describe(), f.message());
            LOG.debug("resize rejected", e);
            return f;
        }
        Map<String, Shape> before = shapes(current);
        Map<String, Shape> after = shapes(next);
        List<String> kept = new ArrayList<>();
        List<ResizePreview.Reinitialised> reinit = new ArrayList<>();
        for (var e : after.entrySet()) {
            Shape old = before.get(e.getKey());
            if (e.getValue().equals(old)) kept.add(e.getKey());
            else reinit.add(new ResizePreview.Reinitialised(e.getKey(), old, e.getValue()));
        }
        List<String> removed = new ArrayList<>(before.keySet());
        removed.removeAll(after.keySet());
        List<String> adapted = new ArrayList<>();
        resizable.cascade().forEach((scope, layer) -> adapted.add(scope + " (" + oneLine(layer) + ")"));
        Layer now = resizable.layerAt(r.scope());
        String description = r.scope() + " is now " + oneLine(now) + (adapted.isEmpty() ? "" : "; adapted downstream: " + String.join(", ", adapted))
                + "; " + reinit.size() + " tensor" + (reinit.size() == 1 ? "" : "s") + " re-initialised, " + kept.size() + " kept";
        long at = current.steps();
        if (!apply) {
            ResizePreview.Ready ready = new ResizePreview.Ready(r, description, oneLine(now), adapted, reinit, kept, removed, next.forwardGraph(), next.gradientGraph(), false, at);
            next.close();
            close(fresh);
            undo(s, r, was, snapshot, cascadeBefore);
            return ready;
        }
        Parameters old = s.storeForResize();
        try {
            for (String name : kept) fresh.set(name, old.get(name));
        } catch (RuntimeException e) {
            next.close();
            close(fresh);
            undo(s, r, was, snapshot, cascadeBefore);
            return failed(r, e);
        }
        s.swapForResize(next, fresh, description);
        return new ResizePreview.Ready(r, description, oneLine(now), adapted, reinit, kept, removed, next.forwardGraph(), next.gradientGraph(), true, at);
    }

    /** Every layer of the model (resized ones as they are now) that {@link LayerResize} can edit, in module order. */
    static List<EditableLayer> editableLayers(ResizedModel m) {
        List<EditableLayer> out = new ArrayList<>();
        walk(m, m.inner(), "", out);
        return out;
    }

    private static void walk(ResizedModel m, Layer l, String path, List<EditableLayer> out) {
        for (var e : l.namedChildren().entrySet()) {
            String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            Layer now = m.layerAt(p);
            if (now == null) continue;
            Map<String, Integer> s = LayerResize.settingsOf(now);
            if (!s.isEmpty()) out.add(new EditableLayer(p, now.getClass().getSimpleName(), s));
            // A resized layer's children are new ones, edited through it.
            if (!m.resizedLayers().containsKey(p)) walk(m, e.getValue(), p, out);
        }
    }

    private static void undo(LabSession s, LayerResize r, Layer was, RewrittenModel.Snapshot snapshot, Map<String, Layer> cascade) {
        s.resizedModel().restore(r.scope(), was, cascade);
        s.model().restore(snapshot);
    }

    /** The layer's class and settings on one line, e.g. {@code Linear(in_features=128, out_features=64, bias=True)}. */
    static String oneLine(Layer l) {
        String text = l.toString();
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl).replaceAll("\\($", "(...)");
    }

    /** Every parameter (weights, buffers, optimizer state) of the trainer's graphs, by name. */
    private static Map<String, Shape> shapes(Trainer t) {
        Map<String, Shape> m = new LinkedHashMap<>();
        for (Graph g : new Graph[] {t.forwardGraph(), t.gradientGraph(), t.updateGraph()}) {
            if (g == null) continue;
            for (Map.Entry<String, Node> e : g.parameters().entrySet()) m.putIfAbsent(e.getKey(), e.getValue().shape());
        }
        return m;
    }

    private static void close(Parameters p) {
        if (p instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing a scratch parameter store failed", e);
            }
        }
    }

    private static ResizePreview.Failed failed(LayerResize r, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof GraphEditException g) return new ResizePreview.Failed(r, g.node(), g.shapes(), g.text());
        }
        return new ResizePreview.Failed(r, r.scope(), List.of(), LabText.reason(e));
    }
}
