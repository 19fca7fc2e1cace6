package dev.jasg.nn;

import dev.jasg.core.Tensor;

import java.util.List;

/**
 * {@code torch.nn.Sequential}: applies its children in order, each to the previous one's
 * output. Children are named {@code "0"}, {@code "1"}, ... so parameters come out as
 * {@code 0.weight}, {@code 2.bias}, as in PyTorch.
 */
public final class Sequential extends Layer {
    /** A chain of {@code modules}. */
    public Sequential(Layer... modules) {
        for (Layer m : modules) add(m);
    }

    /** Appends {@code module} under the next index; returns this. */
    public Sequential add(Layer module) {
        register(Integer.toString(size()), module);
        return this;
    }

    /** Number of modules in the chain. */
    public int size() {
        return namedChildren().size();
    }

    /** Layer {@code i} of the chain. */
    public Layer get(int i) {
        List<Layer> c = children();
        if (i < 0 || i >= c.size()) throw new IndexOutOfBoundsException("Sequential has " + c.size() + " modules; no index " + i);
        return c.get(i);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Layer m : children()) y = m.apply(y);
        return y;
    }
}
