package dev.jasg.nn;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.ConvTranspose1d} over NCL inputs, the adjoint of a {@link Conv1d} with the same
 * options: weight {@code [in_channels, out_channels/groups, k]}, bias {@code [out_channels]},
 * initialised as PyTorch's ({@code fan_in = out_channels/groups * k}). Reads the single-size
 * forms of {@link ConvOptions} and {@code outputPadding(p)}. Output length
 * {@code (L-1) stride - 2 pad + dilation (k-1) + output_padding + 1}. Lowered to
 * {@link dev.jasg.core.Op.ConvTranspose2d} on {@code [N, C, 1, L]}; only {@code padding_mode="zeros"}, as PyTorch.
 */
public final class ConvTranspose1d extends Layer {
    private final int inChannels, outChannels, kernel;
    private final ConvOptions options;
    private final ConvGeometry geometry;

    /** Stride 1, no padding, with a bias. */
    public ConvTranspose1d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, ConvOptions.defaults());
    }

    /** A kernel of {@code kernel} taps with {@code options}. */
    public ConvTranspose1d(int inChannels, int outChannels, int kernel, ConvOptions options) {
        this.geometry = Conv1d.lineGeometry(options.checked("ConvTranspose1d", inChannels, outChannels, 1, kernel, true));
        options.checkZerosPadding("ConvTranspose1d");
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.options = options;
        registerParameter("weight", Initializers.linearDefaultWeight(), inChannels, outChannels / options.groups(), kernel);
        if (options.bias()) registerParameter("bias", Initializers.linearDefaultBias((long) outChannels / options.groups() * kernel), outChannels);
    }

    @Override
    public Tensor forward(Tensor x) {
        Conv1d.checkInput("ConvTranspose1d", x, inChannels);
        Tensor w = parameter(x, "weight").unsqueeze(2);
        Tensor y = x.unsqueeze(2).convTranspose2d(w, geometry, 0, options.outputPaddingW()).squeeze(2);
        return options.bias() ? y.add(parameter(x, "bias").reshape(1, outChannels, 1)) : y;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kernel + ",), stride=(" + geometry.strideW() + ",), padding=("
                + geometry.padLeft() + ",), output_padding=(" + options.outputPaddingW() + ",), dilation=(" + geometry.dilationW()
                + ",), groups=" + geometry.groups() + ", bias=" + Repr.of(options.bias());
    }
}
