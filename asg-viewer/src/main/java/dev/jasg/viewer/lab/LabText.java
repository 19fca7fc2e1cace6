package dev.jasg.viewer.lab;

import dev.jasg.core.DType;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.viewer.Language;
import dev.jasg.viewer.Messages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A text for the user in no language yet: a key of the viewer's message bundles
 * ({@code lab.*} in {@code messages_en/ru}) and its arguments, rendered in the window's language
 * by {@link #render}. The Model Lab's notices and the reasons an edit is refused are LabTexts, so
 * a Russian window shows them in Russian; {@link #toString()} is the English text, for logs and
 * exception messages. An argument that is itself a LabText is rendered in the same language.
 * Immutable, so safe to share between threads.
 *
 * @param key  the bundle key
 * @param args the arguments for {@code {0}}, {@code {1}}, ...
 */
public record LabText(String key, List<Object> args) {
    /** Checks the key and copies the arguments (nulls allowed, shown as {@code null}). */
    public LabText {
        Objects.requireNonNull(key, "key");
        args = Collections.unmodifiableList(new ArrayList<>(args));
    }

    /** The text of {@code key} with {@code args}. */
    public static LabText of(String key, Object... args) {
        return new LabText(key, Arrays.asList(args));
    }

    /** The text in the language of {@code m}. */
    public String render(Messages m) {
        Object[] a = new Object[args.size()];
        for (int i = 0; i < a.length; i++) a[i] = args.get(i) instanceof LabText t ? t.render(m) : args.get(i);
        return m.format(key, a);
    }

    /** The English text. */
    public String english() {
        return render(Messages.of(Language.EN));
    }

    /** The English text. */
    @Override
    public String toString() {
        return english();
    }

    /**
     * Why {@code e} happened, as a text: a {@link GraphEditException}'s own text; a core
     * {@link ShapeException} that names its node as a sentence of its {@link ShapeException.Kind}
     * naming the node, the op and the input shapes; anything else as its English message.
     */
    public static LabText reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof GraphEditException g) return g.text();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShapeException s && s.hasNode()) return shape(s);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShapeException s) return of("lab.reason.shapeRule", s.getMessage());
        }
        return of("lab.reason.error", e.getClass().getSimpleName(), e.getMessage());
    }

    /** The sentence of a shape rule broken at a node: {@code lab.reason.shape.<kind>} with the node's path, op, inputs and English message. */
    public static LabText shape(ShapeException s) {
        return of("lab.reason.shape." + s.kind().name().toLowerCase(Locale.ROOT), s.nodePath(), s.op(), inputs(s.inputShapes(), s.inputDtypes()), s.getMessage());
    }

    /** {@code f32[32,784], f32[128,10]}: the same in every language. */
    static String inputs(List<Shape> shapes, List<DType> dtypes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shapes.size(); i++) {
            if (i > 0) sb.append(", ");
            if (i < dtypes.size()) sb.append(dtypes.get(i).label());
            sb.append(shapes.get(i));
        }
        return sb.toString();
    }
}
