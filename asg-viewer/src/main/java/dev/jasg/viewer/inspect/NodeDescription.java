package dev.jasg.viewer.inspect;

import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.viewer.Language;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.graph.Category;
import dev.jasg.viewer.graph.GraphModel;
import dev.jasg.viewer.graph.ViewNode;

import java.util.List;
import java.util.Optional;

/**
 * The inspector's page about one box of a {@link GraphModel}, as simple HTML for a Swing text
 * pane: the op's name, what it does, its formula and why models use it (from {@link OpTexts});
 * for a parameter its role in this model and its initialisation; then the technical details (id,
 * op, attributes, shape, dtype, scope, inputs, consumers). No Swing here, so it is testable
 * headless.
 */
public final class NodeDescription {
    private static final int MAX_LISTED = 12;

    private NodeDescription() {}

    /** The page for box {@code v} of {@code model} in {@code language}. */
    public static String html(Language language, GraphModel model, ViewNode v) {
        Messages m = Messages.of(language);
        Node n = v.node();
        Graph g = model.graph();
        StringBuilder sb = new StringBuilder("<html><body>");
        Optional<OpText> text = OpTexts.find(language, n.op());
        String name = v.isOutput() ? v.output() : text.map(OpText::name).orElse(n.op().label());
        sb.append("<h2>").append(esc(name)).append("</h2>");
        Category cat = v.isOutput() ? Category.OUTPUT : v.tint();
        sb.append("<p class='sub'>").append(esc(n.path())).append(" &middot; %").append(n.id()).append(" &middot; ")
          .append(esc(m.get(cat.messageKey()))).append(v.gradient() ? " &middot; " + esc(m.get("category.gradient")) : "").append("</p>");

        if (v.isOutput()) {
            String key = v.output().startsWith("grad:") ? "inspector.output.gradient" : "inspector.output.forward";
            sb.append("<p>").append(esc(m.format(key, v.output(), v.output().startsWith("grad:") ? v.output().substring(5) : v.output()))).append("</p>");
        }
        if (v.proxy()) sb.append("<p class='note'>").append(esc(m.format("inspector.proxy", n.id()))).append("</p>");
        if (!v.isOutput() && n.id() >= model.forwardSize()) {
            String scope = n.scope().startsWith("grad") ? n.scope().substring(4).replaceFirst("^\\.", "") : n.scope();
            sb.append("<p class='note'>").append(esc(scope.isEmpty() ? m.get("inspector.gradient.top") : m.format("inspector.gradient", scope))).append("</p>");
        }

        if (text.isPresent()) {
            OpText t = text.get();
            section(sb, m.get("inspector.what"), "<p>" + esc(t.what()) + "</p>");
            section(sb, m.get("inspector.formula"), "<p class='formula'>" + esc(t.formula()) + "</p>");
            section(sb, m.get("inspector.why"), "<p>" + esc(t.why()) + "</p>");
        } else {
            sb.append("<p class='note'>").append(esc(m.format("inspector.noText", OpKey.of(n.op())))).append("</p>");
        }

        if (n.op() instanceof Op.Parameter p) {
            section(sb, m.get("inspector.role"), "<p>" + esc(ParameterRole.describe(m, g, n)) + "</p>"
                    + "<p>" + esc(m.get(p.trainable() ? "inspector.trainable" : "inspector.state")) + "</p>");
            section(sb, m.get("inspector.init"), "<p>" + esc(InitText.describe(m, p.init(), n.shape())) + "</p>");
        }
        if (n.op() instanceof Op.Input in) {
            sb.append("<p>").append(esc(m.format("inspector.input", in.name()))).append("</p>");
        }
        if (n.op() instanceof Op.Constant c) {
            section(sb, m.get("inspector.value"), "<p class='formula'>" + esc(values(c.value())) + "</p>");
        }

        StringBuilder t = new StringBuilder("<table>");
        row(t, m.get("inspector.id"), "%" + n.id());
        row(t, m.get("inspector.op"), n.op().label() + " (" + OpKey.of(n.op()) + ")");
        String attrs = n.op().attributes();
        if (!attrs.isEmpty()) row(t, m.get("inspector.attributes"), attrs);
        row(t, m.get("inspector.shape"), n.shape().toString());
        row(t, m.get("inspector.dtype"), n.dtype().label());
        row(t, m.get("inspector.scope"), n.scope().isEmpty() ? "—" : n.scope());
        StringBuilder ins = new StringBuilder();
        for (int i = 0; i < n.arity(); i++) {
            Node src = g.node(n.input(i));
            ins.append(i > 0 ? "<br>" : "").append(esc("%" + src.id() + " " + src.path() + " " + GraphModel.shapeLabel(src)));
        }
        rowHtml(t, m.get("inspector.inputs"), n.arity() == 0 ? "—" : ins.toString());
        List<Integer> consumers = g.consumers(n.id());
        StringBuilder cs = new StringBuilder();
        for (int i = 0; i < Math.min(MAX_LISTED, consumers.size()); i++) {
            Node c = g.node(consumers.get(i));
            cs.append(i > 0 ? "<br>" : "").append(esc("%" + c.id() + " " + c.path()));
        }
        if (consumers.size() > MAX_LISTED) cs.append("<br>").append(esc(m.format("inspector.more", consumers.size() - MAX_LISTED)));
        rowHtml(t, m.get("inspector.consumers"), consumers.isEmpty() ? "—" : cs.toString());
        t.append("</table>");
        section(sb, m.get("inspector.details"), t.toString());
        return sb.append("</body></html>").toString();
    }

    /** The page shown when nothing is selected. */
    public static String empty(Language language) {
        Messages m = Messages.of(language);
        return "<html><body><h2>" + esc(m.get("inspector.empty.title")) + "</h2><p>" + esc(m.get("inspector.empty")) + "</p></body></html>";
    }

    private static void section(StringBuilder sb, String title, String body) {
        sb.append("<h3>").append(esc(title)).append("</h3>").append(body);
    }

    private static void row(StringBuilder t, String k, String v) {
        rowHtml(t, k, esc(v));
    }

    private static void rowHtml(StringBuilder t, String k, String v) {
        t.append("<tr><td class='k'>").append(esc(k)).append("</td><td>").append(v).append("</td></tr>");
    }

    private static String values(HostTensor v) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(16, v.size());
        for (int i = 0; i < n; i++) sb.append(i > 0 ? ", " : "").append(InitText.num(v.get(i)));
        if (v.size() > n) sb.append(", …");
        return (v.size() > 1 ? "[" + sb + "]" : sb.toString()) + "  " + v.dtype().label() + v.shape();
    }

    /** HTML-escapes {@code s}. */
    public static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
