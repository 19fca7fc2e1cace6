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
public final class ConvTranspose2d extends Module {
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
        String name = "ConvTranspose2d";
        if (inChannels <= 0 || outChannels <= 0 || kh <= 0 || kw <= 0) {
            throw new IllegalArgumentException(name + ": channels and kernel size must be positive, got in=" + inChannels + " out=" + outChannels
                    + " kernel=" + kh + "x" + kw);
        }
        this.geometry = options.geometry(name, kh, kw, true);
        options.checkOutputPadding(name);
        int groups = options.groups();
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(name + ": in_channels " + inChannels + " and out_channels " + outChannels + " must be divisible by groups " + groups);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kh = kh;
        this.kw = kw;
        this.options = options;
        registerParameter("weight", Initializers.linearDefaultWeight(), inChannels, outChannels / groups, kh, kw);
        if (options.bias()) registerParameter("bias", Initializers.linearDefaultBias((long) outChannels / groups * kh * kw), outChannels);
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
