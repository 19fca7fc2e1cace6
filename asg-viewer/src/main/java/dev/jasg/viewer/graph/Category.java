package dev.jasg.viewer.graph;

import java.awt.Color;

/**
 * What kind of node a box is, for its colour and the legend. Each category has a fill for the
 * light and for the dark theme; the legend text is {@code category.<name>} in the message bundles.
 */
public enum Category {
    /** Fed data. */
    INPUT(0x7FB3E6, 0x2F5F8F),
    /** Weights and state. */
    PARAMETER(0xF2C46D, 0x8A6A22),
    /** Baked-in values. */
    CONSTANT(0xD0D0D0, 0x5A5A5A),
    /** Elementwise arithmetic, comparisons, matmul. */
    ARITHMETIC(0xA8D8A8, 0x3F7A45),
    /** Nonlinearities and softmax. */
    ACTIVATION(0xF29E9E, 0x8F3D3D),
    /** Sums, means, maxima, counts. */
    REDUCTION(0xC7A8E6, 0x634585),
    /** Layer and batch normalisation. */
    NORMALISATION(0x8FD6D1, 0x2E7A74),
    /** Convolution and pooling. */
    CONVOLUTION(0xF5B88A, 0x8F5427),
    /** Reshapes, permutes, slices, gathers. */
    SHAPE(0xE6E2A8, 0x6F6B2C),
    /** Nodes that exist only in the gradient graph. */
    GRADIENT(0xB9C4D6, 0x44506A),
    /** Named outputs of a graph (the loss, the gradients). */
    OUTPUT(0xF7A8D3, 0x8A2F63),
    /** A collapsed scope standing for the nodes inside it. */
    SCOPE(0xE3E7EE, 0x3A3F4A);

    private final Color light;
    private final Color dark;

    Category(int light, int dark) {
        this.light = new Color(light);
        this.dark = new Color(dark);
    }

    /** The fill colour in the light or the dark theme. */
    public Color fill(boolean darkTheme) {
        return darkTheme ? dark : light;
    }

    /** The key of the legend text. */
    public String messageKey() {
        return "category." + name().toLowerCase(java.util.Locale.ROOT);
    }
}
