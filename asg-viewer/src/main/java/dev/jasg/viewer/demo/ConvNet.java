package dev.jasg.viewer.demo;

import dev.jasg.nn.Module;

/**
 * The demo's convolutional network. It needs the conv2d and max-pool ops, which asg-core is
 * gaining; until the asg-core on the class path has them, {@link #available()} is false and
 * {@link #create()} says so.
 */
final class ConvNet {
    private ConvNet() {}

    /** True when asg-core has the convolution ops. */
    static boolean available() {
        try {
            Class.forName("dev.jasg.core.Op$Conv2d");
            return false; // the model itself comes with the layers; see ROADMAP.md
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The network, or an {@link UnsupportedOperationException} naming what is missing. */
    static Module create() {
        throw new UnsupportedOperationException("the cnn demo needs convolution and pooling layers, which are not in this build yet; use --model mlp or --model transformer");
    }
}
