package dev.jasg.viewer.graph;

import dev.jasg.core.Node;

/**
 * One box of a {@link GraphModel}: a node of the graph, or the marker of a named output.
 *
 * @param index    position in {@link GraphModel#nodes()}
 * @param node     the graph node; for an output marker, the node it names
 * @param output   the output's name for a marker, else null
 * @param scope    the scope the box is drawn in ({@code block.ff}; empty at the top)
 * @param category what colours it
 * @param tint     the category of its op, shown as a stripe on gradient-only nodes (else equal to {@code category})
 * @param title    first line: op label, input or parameter name, constant value, output name
 * @param detail   second line: attributes, or dtype and shape
 * @param gradient true for a node that exists only in the gradient graph
 * @param proxy    true for a stand-in, in the gradient view, for a forward value the gradient graph reads
 */
public record ViewNode(int index, Node node, String output, String scope, Category category, Category tint, String title, String detail,
                       boolean gradient, boolean proxy) {
    /** True for the marker of a named output. */
    public boolean isOutput() {
        return output != null;
    }

    /** The text search matches: the node's path, name and op label, or the output's name. */
    public String searchText() {
        return isOutput() ? output : node.path() + " " + title + " %" + node.id();
    }
}
