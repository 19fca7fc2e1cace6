package dev.jasg.nn;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.Conv1d} over NCL inputs: {@code y = conv1d(x, weight) + bias} with weight
 * {@code [out_channels, in_channels/groups, k]} and bias {@code [out_channels]}, initialised as
 * PyTorch's ({@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}, {@code fan_in = in_channels/groups * k}).
 * Options in {@link ConvOptions}, of which a 1-d layer reads the single-size forms
 * ({@code stride(s)}, {@code padding(p)}, {@code padding("same")}, {@code dilation(d)}), groups,
 * bias and {@code paddingMode}. Output length {@code floor((L + 2 pad - dilation (k-1) - 1) / stride) + 1}.
 *
 * <p>Lowered to the {@link dev.jasg.core.Op.Conv2d} primitive on {@code [N, C, 1, L]} with a
 * {@code [O, C/g, 1, k]} kernel. Unlike PyTorch, an unbatched {@code [C, L]} input is not accepted.
 */
public final class Conv1d extends Layer {
    private final int inChannels, outChannels, kernel;
    private final ConvOptions options;
    private final ConvGeometry geometry;

    /** Stride 1, no padding, with a bias. */
    public Conv1d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, ConvOptions.defaults());
    }

    /** A kernel of {@code kernel} taps with {@code options}. */
    public Conv1d(int inChannels, int outChannels, int kernel, ConvOptions options) {
        this.geometry = lineGeometry(options.checked("Conv1d", inChannels, outChannels, 1, kernel, false));
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.options = options;
        registerParameter("weight", Initializers.linearDefaultWeight(), outChannels, inChannels / options.groups(), kernel);
        if (options.bias()) registerParameter("bias", Initializers.linearDefaultBias((long) inChannels / options.groups() * kernel), outChannels);
    }

    /** The 2-d geometry of a 1-d convolution: the width settings, unit height. */
    static ConvGeometry lineGeometry(ConvGeometry g) {
        return new ConvGeometry(1, g.strideW(), 0, 0, g.padLeft(), g.padRight(), 1, g.dilationW(), g.groups());
    }

    /** Throws unless {@code x} is NCL with {@code channels} channels. */
    static void checkInput(String layer, Tensor x, int channels) {
        if (x.rank() != 3) throw new IllegalArgumentException(layer + ": expected an NCL input of rank 3, got " + x.shape() + " at node " + x.id());
        if (!x.shape().isSymbolic(1) && x.shape().dim(1) != channels) {
            throw new IllegalArgumentException(layer + ": expected " + channels + " input channels, got " + x.shape() + " at node " + x.id());
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput("Conv1d", x, inChannels);
        String mode = options.paddingModeName();
        Tensor w = parameter(x, "weight").unsqueeze(2);
        Tensor u = Conv2d.padded(x.unsqueeze(2), geometry, mode, "Conv1d");
        Tensor y = u.conv2d(w, Conv2d.unpadded(geometry, mode)).squeeze(2);
        return options.bias() ? y.add(parameter(x, "bias").reshape(1, outChannels, 1)) : y;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kernel + ",), stride=(" + geometry.strideW() + ",), padding="
                + (options.paddingString() != null ? Repr.of(options.paddingString()) : "(" + geometry.padLeft() + ",)")
                + ", dilation=(" + geometry.dilationW() + ",), groups=" + geometry.groups() + ", bias=" + Repr.of(options.bias())
                + (options.paddingModeName().equals("zeros") ? "" : ", padding_mode=" + Repr.of(options.paddingModeName()));
    }
}
