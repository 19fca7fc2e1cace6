package dev.jasg.nn;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.Conv2d} over NCHW inputs: {@code y = conv2d(x, weight) + bias} with weight
 * {@code [out_channels, in_channels/groups, kh, kw]} and bias {@code [out_channels]}, both
 * initialised as PyTorch's ({@code kaiming_uniform(a=sqrt 5)} for the weight, which is
 * {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}, the same bound for the bias, with
 * {@code fan_in = in_channels/groups * kh * kw}). Options in {@link ConvOptions}.
 * Output size per axis: {@code floor((n + 2 pad - dilation (k-1) - 1) / stride) + 1}.
 *
 * <p>{@code padding_mode} ({@link ConvOptions#paddingMode}) reflect, replicate or circular pads
 * the input in that mode and then convolves without padding, as PyTorch does.
 */
public final class Conv2d extends Layer {
    private final int inChannels, outChannels, kh, kw;
    private final ConvOptions options;
    private final ConvGeometry geometry;

    /** A square {@code kernel}, stride 1, no padding, with a bias. */
    public Conv2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, kernel, ConvOptions.defaults());
    }

    /** A square {@code kernel} with {@code options}. */
    public Conv2d(int inChannels, int outChannels, int kernel, ConvOptions options) {
        this(inChannels, outChannels, kernel, kernel, options);
    }

    /** A {@code kh x kw} kernel with {@code options}. */
    public Conv2d(int inChannels, int outChannels, int kh, int kw, ConvOptions options) {
        this.geometry = options.checked("Conv2d", inChannels, outChannels, kh, kw, false);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kh = kh;
        this.kw = kw;
        this.options = options;
        registerParameter("weight", Initializers.linearDefaultWeight(), outChannels, inChannels / options.groups(), kh, kw);
        if (options.bias()) registerParameter("bias", Initializers.linearDefaultBias((long) inChannels / options.groups() * kh * kw), outChannels);
    }

    /** Input channels. */
    public int inChannels() {
        return inChannels;
    }

    /** Output channels. */
    public int outChannels() {
        return outChannels;
    }

    /** The kernel size, {@code {kh, kw}}. */
    public int[] kernelSize() {
        return new int[] {kh, kw};
    }

    /** A copy of the layer's options (changing it changes nothing here). */
    public ConvOptions options() {
        return options.copy();
    }

    /** The convolution's geometry (strides, resolved padding, dilations, groups). */
    public ConvGeometry geometry() {
        return geometry;
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput("Conv2d", x, inChannels);
        Tensor y = padded(x, geometry, options.paddingModeName(), "Conv2d").conv2d(parameter(x, "weight"), unpadded(geometry, options.paddingModeName()));
        return options.bias() ? y.add(parameter(x, "bias").reshape(1, outChannels, 1, 1)) : y;
    }

    /** {@code x} padded on its last two axes by {@code g}'s padding in {@code mode}; {@code x} itself for zeros (the convolution pads). */
    static Tensor padded(Tensor x, ConvGeometry g, String mode, String layer) {
        if (mode.equals("zeros")) return x;
        return x.pad(new int[] {g.padLeft(), g.padRight(), g.padTop(), g.padBottom()}, torchPadMode(mode));
    }

    /** {@link Tensor#pad}'s name for a convolution's {@code padding_mode}: {@code zeros} is {@code constant}. */
    static String torchPadMode(String mode) {
        return mode.equals("zeros") ? "constant" : mode;
    }

    /** {@code g} without padding when the input was padded by {@link #padded}. */
    static ConvGeometry unpadded(ConvGeometry g, String mode) {
        if (mode.equals("zeros")) return g;
        return new ConvGeometry(g.strideH(), g.strideW(), 0, 0, 0, 0, g.dilationH(), g.dilationW(), g.groups());
    }

    /** Throws unless {@code x} is NCHW with {@code channels} channels. */
    static void checkInput(String layer, Tensor x, int channels) {
        if (x.rank() != 4) throw new IllegalArgumentException(layer + ": expected an NCHW input of rank 4, got " + x.shape() + " at node " + x.id());
        if (!x.shape().isSymbolic(1) && x.shape().dim(1) != channels) {
            throw new IllegalArgumentException(layer + ": expected " + channels + " input channels, got " + x.shape() + " at node " + x.id());
        }
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kh + ", " + kw + "), " + options;
    }
}
