package dev.jasg.models.vision;

import dev.jasg.core.Tensor;
import dev.jasg.nn.BatchNorm2d;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.ConvOptions;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Sequential;

/**
 * torchvision's MobileNetV2 {@code InvertedResidual}: with {@code hidden = round(in * expandRatio)},
 * {@code conv} is a sequence of a 1x1 expansion to {@code hidden} channels with batch norm and
 * ReLU6 (left out when {@code expandRatio == 1}), a 3x3 depthwise convolution
 * ({@code groups = hidden}) with the stride, batch norm and ReLU6, then a linear 1x1 projection to
 * {@code out} channels and a batch norm: {@code y = x + conv(x)} when the stride is 1 and
 * {@code in == out}, {@code y = conv(x)} otherwise. Parameter names as torchvision's:
 * {@code conv.0.0.weight}, {@code conv.0.1.running_var}, ..., {@code conv.2.weight}, {@code conv.3.bias}
 * (with expansion; {@code conv.1.weight} and {@code conv.2.*} without).
 */
public final class InvertedResidual extends Layer {
    private final Sequential conv;
    private final boolean useResConnect;

    /**
     * A block from {@code in} to {@code out} channels with {@code stride} (1 or 2) and
     * {@code expandRatio}, as torchvision's {@code InvertedResidual(inp, oup, stride, expand_ratio)}.
     */
    public InvertedResidual(int in, int out, int stride, int expandRatio) {
        if (stride != 1 && stride != 2) throw new IllegalArgumentException("InvertedResidual: stride must be 1 or 2, got " + stride);
        int hidden = (int) Math.round((double) in * expandRatio);
        useResConnect = stride == 1 && in == out;
        Sequential c = new Sequential();
        if (expandRatio != 1) c.add(Conv2dNormActivation.relu6(in, hidden, 1, 1, 1));
        c.add(Conv2dNormActivation.relu6(hidden, hidden, 3, stride, hidden));
        c.add(new Conv2d(hidden, out, 1, ConvOptions.defaults().bias(false)));
        c.add(new BatchNorm2d(out));
        conv = register("conv", c);
    }

    /** True when the block adds its input to its output. */
    public boolean usesResidual() {
        return useResConnect;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = conv.apply(x);
        return useResConnect ? x.add(y) : y;
    }
}
