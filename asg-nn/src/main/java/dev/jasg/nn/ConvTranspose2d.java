package dev.jasg.nn;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.ConvTranspose2d} over NCHW inputs, the adjoint of a {@link Conv2d} with the
 * same options: weight {@code [in_channels, out_channels/groups, kh, kw]}, bias
 * {@code [out_channels]}, initialised as PyTorch's (its {@code fan_in} is
 * {@code out_channels/groups * kh * kw}). Output size per axis:
 * {@code (n-1) stride - 2 pad + dilation (k-1) + output_padding + 1}.
 */
public final class ConvTranspose2d extends Layer {
    private final int inChannels, outChannels, kh, kw;
    private final ConvOptions options;
    private final ConvGeometry geometry;

    /** A square {@code kernel}, stride 1, no padding, with a bias. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, kernel, ConvOptions.defaults());
    }

    /** A square {@code kernel} with {@code options}. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernel, ConvOptions options) {
        this(inChannels, outChannels, kernel, kernel, options);
    }

    /** A {@code kh x kw} kernel with {@code options}. */
    public ConvTranspose2d(int inChannels, int outChannels, int kh, int kw, ConvOptions options) {
        this.geometry = options.checked("ConvTranspose2d", inChannels, outChannels, kh, kw, true);
        options.checkZerosPadding("ConvTranspose2d");
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kh = kh;
        this.kw = kw;
        this.options = options;
        registerParameter("weight", Initializers.linearDefaultWeight(), inChannels, outChannels / options.groups(), kh, kw);
        if (options.bias()) registerParameter("bias", Initializers.linearDefaultBias((long) outChannels / options.groups() * kh * kw), outChannels);
    }

    @Override
    public Tensor forward(Tensor x) {
        Conv2d.checkInput("ConvTranspose2d", x, inChannels);
        Tensor y = x.convTranspose2d(parameter(x, "weight"), geometry, options.outputPaddingH(), options.outputPaddingW());
        return options.bias() ? y.add(parameter(x, "bias").reshape(1, outChannels, 1, 1)) : y;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kh + ", " + kw + "), " + options
                + ", output_padding=(" + options.outputPaddingH() + ", " + options.outputPaddingW() + ")";
    }
}
