package dev.jasg.nn.spec;

import dev.jasg.nn.*;
import dev.jasg.nn.attention.FeedForward;
import dev.jasg.nn.attention.LearnedPositionalEmbedding;
import dev.jasg.nn.attention.MultiHeadAttention;
import dev.jasg.nn.attention.SinusoidalPositionalEncoding;
import dev.jasg.nn.attention.TransformerEncoderBlock;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.jasg.nn.spec.Param.*;

/**
 * The closed registry of node types a {@link ModelSpec} may use: every asg-nn layer that maps one
 * tensor to one tensor, with its constructor's hyper-parameters (PyTorch's argument names), and the
 * tensor ops a graph needs around them (residual {@code Add}, {@code Concat}, {@code Reshape}, ...).
 *
 * <p>A layer type names its class and the constructor arguments it is built with ({@link Arg}), so
 * {@link #create} (reflection on that one constructor) and {@link #javaNew} (the same constructor
 * call as Java source, for {@link JavaExport}) cannot disagree. The JSON name ({@link #jsonName()})
 * is the class's simple name; the JSON Schema's node-type enum lists exactly these names (a test
 * checks it). Immutable, so safe to share between threads.
 */
public enum LayerType {
    // ---- linear and embedding ----
    LINEAR(Category.LINEAR, Linear.class, List.of(reqInt("in_features", 1), reqInt("out_features", 1), optBool("bias", true)),
            Arg.i("in_features"), Arg.i("out_features"), Arg.b("bias")),
    EMBEDDING(Category.LINEAR, Embedding.class, List.of(reqInt("num_embeddings", 1), reqInt("embedding_dim", 1), nullableInt("padding_idx", null)),
            Arg.i("num_embeddings"), Arg.i("embedding_dim"), Arg.boxedI("padding_idx")),
    IDENTITY(Category.LINEAR, Identity.class, List.of()),
    // ---- convolution ----
    CONV1D(Category.CONVOLUTION, Conv1d.class, convParams(false), Arg.i("in_channels"), Arg.i("out_channels"), Arg.i("kernel_size"), Arg.conv(false)),
    CONV2D(Category.CONVOLUTION, Conv2d.class, convParams(false), Arg.i("in_channels"), Arg.i("out_channels"), Arg.i("kernel_size"), Arg.conv(false)),
    CONV3D(Category.CONVOLUTION, Conv3d.class, convParams(false), Arg.i("in_channels"), Arg.i("out_channels"), Arg.i("kernel_size"), Arg.conv(false)),
    CONV_TRANSPOSE1D(Category.CONVOLUTION, ConvTranspose1d.class, convParams(true), Arg.i("in_channels"), Arg.i("out_channels"), Arg.i("kernel_size"), Arg.conv(true)),
    CONV_TRANSPOSE2D(Category.CONVOLUTION, ConvTranspose2d.class, convParams(true), Arg.i("in_channels"), Arg.i("out_channels"), Arg.i("kernel_size"), Arg.conv(true)),
    // ---- pooling ----
    MAX_POOL1D(Category.POOLING, MaxPool1d.class, maxPoolParams(), Arg.i("kernel_size"), Arg.iOr("stride", "kernel_size"), Arg.i("padding"), Arg.i("dilation"), Arg.b("ceil_mode")),
    MAX_POOL2D(Category.POOLING, MaxPool2d.class, maxPoolParams(), Arg.i("kernel_size"), Arg.iOr("stride", "kernel_size"), Arg.i("padding"), Arg.i("dilation"), Arg.b("ceil_mode")),
    MAX_POOL3D(Category.POOLING, MaxPool3d.class, maxPoolParams(), Arg.i("kernel_size"), Arg.iOr("stride", "kernel_size"), Arg.i("padding"), Arg.i("dilation"), Arg.b("ceil_mode")),
    AVG_POOL1D(Category.POOLING, AvgPool1d.class, avgPoolParams(), Arg.i("kernel_size"), Arg.iOr("stride", "kernel_size"), Arg.i("padding"), Arg.b("ceil_mode"), Arg.b("count_include_pad")),
    AVG_POOL2D(Category.POOLING, AvgPool2d.class, squareAvgPoolParams(), Arg.i("kernel_size"), Arg.iOr("stride", "kernel_size"), Arg.i("padding")),
    AVG_POOL3D(Category.POOLING, AvgPool3d.class, squareAvgPoolParams(), Arg.i("kernel_size"), Arg.iOr("stride", "kernel_size"), Arg.i("padding")),
    ADAPTIVE_AVG_POOL1D(Category.POOLING, AdaptiveAvgPool1d.class, List.of(reqInt("output_size", 1)), Arg.i("output_size")),
    ADAPTIVE_AVG_POOL2D(Category.POOLING, AdaptiveAvgPool2d.class, List.of(reqInt("output_size", 1)), Arg.i("output_size")),
    ADAPTIVE_MAX_POOL1D(Category.POOLING, AdaptiveMaxPool1d.class, List.of(reqInt("output_size", 1)), Arg.i("output_size")),
    ADAPTIVE_MAX_POOL2D(Category.POOLING, AdaptiveMaxPool2d.class, List.of(reqInt("output_size", 1)), Arg.i("output_size")),
    // ---- normalization ----
    BATCH_NORM1D(Category.NORMALIZATION, BatchNorm1d.class, batchNormParams(), Arg.i("num_features"), Arg.d("eps"), Arg.boxedD("momentum"), Arg.b("affine"), Arg.b("track_running_stats")),
    BATCH_NORM2D(Category.NORMALIZATION, BatchNorm2d.class, batchNormParams(), Arg.i("num_features"), Arg.d("eps"), Arg.boxedD("momentum"), Arg.b("affine"), Arg.b("track_running_stats")),
    LAYER_NORM(Category.NORMALIZATION, LayerNorm.class, List.of(reqInts("normalized_shape", 1), optFloat("eps", 1e-5, 0.0), optBool("elementwise_affine", true)),
            Arg.ints("normalized_shape"), Arg.d("eps"), Arg.b("elementwise_affine")),
    GROUP_NORM(Category.NORMALIZATION, GroupNorm.class, List.of(reqInt("num_groups", 1), reqInt("num_channels", 1), optFloat("eps", 1e-5, 0.0), optBool("affine", true)),
            Arg.i("num_groups"), Arg.i("num_channels"), Arg.d("eps"), Arg.b("affine")),
    INSTANCE_NORM1D(Category.NORMALIZATION, InstanceNorm1d.class, instanceNormParams(), Arg.i("num_features"), Arg.d("eps"), Arg.b("affine"), Arg.b("track_running_stats")),
    INSTANCE_NORM2D(Category.NORMALIZATION, InstanceNorm2d.class, instanceNormParams(), Arg.i("num_features"), Arg.d("eps"), Arg.b("affine"), Arg.b("track_running_stats")),
    LOCAL_RESPONSE_NORM(Category.NORMALIZATION, LocalResponseNorm.class,
            List.of(reqInt("size", 1), optFloat("alpha", 1e-4, null), optFloat("beta", 0.75, null), optFloat("k", 1.0, null)),
            Arg.i("size"), Arg.d("alpha"), Arg.d("beta"), Arg.d("k")),
    // ---- activations ----
    RELU(Category.ACTIVATION, ReLU.class, List.of()),
    RELU6(Category.ACTIVATION, ReLU6.class, List.of()),
    LEAKY_RELU(Category.ACTIVATION, LeakyReLU.class, List.of(optFloat("negative_slope", 0.01, null)), Arg.d("negative_slope")),
    PRELU(Category.ACTIVATION, PReLU.class, List.of(optInt("num_parameters", 1, 1), optFloat("init", 0.25, null)), Arg.i("num_parameters"), Arg.d("init")),
    ELU(Category.ACTIVATION, dev.jasg.nn.ELU.class, List.of(optFloat("alpha", 1.0, null)), Arg.d("alpha")),
    CELU(Category.ACTIVATION, dev.jasg.nn.CELU.class, List.of(optFloat("alpha", 1.0, null)), Arg.d("alpha")),
    SELU(Category.ACTIVATION, dev.jasg.nn.SELU.class, List.of()),
    GELU(Category.ACTIVATION, dev.jasg.nn.GELU.class, List.of(optString("approximate", "none", "none", "tanh")), Arg.s("approximate")),
    SILU(Category.ACTIVATION, SiLU.class, List.of()),
    MISH(Category.ACTIVATION, Mish.class, List.of()),
    SIGMOID(Category.ACTIVATION, Sigmoid.class, List.of()),
    TANH(Category.ACTIVATION, Tanh.class, List.of()),
    SOFTPLUS(Category.ACTIVATION, Softplus.class, List.of(optFloat("beta", 1.0, null), optFloat("threshold", 20.0, null)), Arg.d("beta"), Arg.d("threshold")),
    SOFTSIGN(Category.ACTIVATION, Softsign.class, List.of()),
    HARDSIGMOID(Category.ACTIVATION, Hardsigmoid.class, List.of()),
    HARDSWISH(Category.ACTIVATION, Hardswish.class, List.of()),
    HARDTANH(Category.ACTIVATION, Hardtanh.class, List.of(optFloat("min_val", -1.0, null), optFloat("max_val", 1.0, null)), Arg.d("min_val"), Arg.d("max_val")),
    LOG_SIGMOID(Category.ACTIVATION, LogSigmoid.class, List.of()),
    THRESHOLD(Category.ACTIVATION, Threshold.class, List.of(reqFloat("threshold", -Double.MAX_VALUE), reqFloat("value", -Double.MAX_VALUE)), Arg.d("threshold"), Arg.d("value")),
    GLU(Category.ACTIVATION, dev.jasg.nn.GLU.class, List.of(optInt("dim", -1, null)), Arg.i("dim")),
    SOFTMAX(Category.ACTIVATION, Softmax.class, List.of(optInt("dim", -1, null)), Arg.i("dim")),
    LOG_SOFTMAX(Category.ACTIVATION, LogSoftmax.class, List.of(optInt("dim", -1, null)), Arg.i("dim")),
    // ---- regularization and shape ----
    DROPOUT(Category.REGULARIZATION, Dropout.class, List.of(new Param("p", Param.Kind.FLOAT, false, 0.5, false, 0.0, List.of())), Arg.d("p")),
    FLATTEN(Category.SHAPE, Flatten.class, List.of(optInt("start_dim", 1, null), optInt("end_dim", -1, null)), Arg.i("start_dim"), Arg.i("end_dim")),
    PIXEL_SHUFFLE(Category.SHAPE, PixelShuffle.class, List.of(reqInt("upscale_factor", 1)), Arg.i("upscale_factor")),
    PIXEL_UNSHUFFLE(Category.SHAPE, PixelUnshuffle.class, List.of(reqInt("downscale_factor", 1)), Arg.i("downscale_factor")),
    UPSAMPLE(Category.SHAPE, Upsample.class, List.of(reqFloat("scale_factor", Double.MIN_VALUE), optString("mode", "nearest", "nearest", "linear", "bilinear", "bicubic", "trilinear"),
            new Param("align_corners", Param.Kind.BOOL, false, null, true, null, List.of())),
            Arg.doubles1("scale_factor"), Arg.s("mode"), new Arg(Boolean.class, p -> p.get("align_corners"),
                    p -> p.get("align_corners") == null ? "(Boolean) null" : "Boolean.valueOf(" + p.get("align_corners") + ")")),
    // ---- attention ----
    MULTI_HEAD_ATTENTION(Category.ATTENTION, MultiHeadAttention.class,
            List.of(reqInt("embed_dim", 1), reqInt("num_heads", 1), optBool("bias", true), optFloat("dropout", 0.0, 0.0)),
            Arg.i("embed_dim"), Arg.i("num_heads"), Arg.b("bias"), Arg.d("dropout")),
    TRANSFORMER_ENCODER_BLOCK(Category.ATTENTION, TransformerEncoderBlock.class,
            List.of(reqInt("d_model", 1), reqInt("nhead", 1), optInt("dim_feedforward", 2048, 1), optFloat("dropout", 0.1, 0.0),
                    optString("activation", "relu", "relu", "gelu", "silu"), optFloat("layer_norm_eps", 1e-5, 0.0), optBool("norm_first", false), optBool("bias", true)),
            Arg.i("d_model"), Arg.i("nhead"), Arg.i("dim_feedforward"), Arg.d("dropout"), Arg.s("activation"), Arg.d("layer_norm_eps"), Arg.b("norm_first"), Arg.b("bias")),
    FEED_FORWARD(Category.ATTENTION, FeedForward.class,
            List.of(reqInt("embed_dim", 1), reqInt("hidden", 1), optString("activation", "gelu", "relu", "gelu", "silu"), optFloat("dropout", 0.0, 0.0), optBool("bias", true)),
            Arg.i("embed_dim"), Arg.i("hidden"), Arg.s("activation"), Arg.d("dropout"), Arg.b("bias")),
    SINUSOIDAL_POSITIONAL_ENCODING(Category.ATTENTION, SinusoidalPositionalEncoding.class, List.of(reqInt("max_len", 1), reqInt("d_model", 1)),
            Arg.i("max_len"), Arg.i("d_model")),
    LEARNED_POSITIONAL_EMBEDDING(Category.ATTENTION, LearnedPositionalEmbedding.class, List.of(reqInt("max_len", 1), reqInt("d_model", 1)),
            Arg.i("max_len"), Arg.i("d_model")),
    // ---- recurrent ----
    RNN(Category.RECURRENT, dev.jasg.nn.recurrent.RNN.class,
            List.of(reqInt("input_size", 1), reqInt("hidden_size", 1), optInt("num_layers", 1, 1), optString("nonlinearity", "tanh", "tanh", "relu"),
                    optBool("bias", true), optBool("batch_first", false), optFloat("dropout", 0.0, 0.0), optBool("bidirectional", false)),
            Arg.i("input_size"), Arg.i("hidden_size"), Arg.i("num_layers"), Arg.s("nonlinearity"), Arg.b("bias"), Arg.b("batch_first"), Arg.d("dropout"), Arg.b("bidirectional")),
    LSTM(Category.RECURRENT, dev.jasg.nn.recurrent.LSTM.class, recurrentParams(),
            Arg.i("input_size"), Arg.i("hidden_size"), Arg.i("num_layers"), Arg.b("bias"), Arg.b("batch_first"), Arg.d("dropout"), Arg.b("bidirectional")),
    GRU(Category.RECURRENT, dev.jasg.nn.recurrent.GRU.class, recurrentParams(),
            Arg.i("input_size"), Arg.i("hidden_size"), Arg.i("num_layers"), Arg.b("bias"), Arg.b("batch_first"), Arg.d("dropout"), Arg.b("bidirectional")),
    // ---- tensor ops (no parameters; see GraphModel) ----
    /** {@code a + b} (broadcasting), for residual connections. */
    ADD(Category.TENSOR_OP, 2, List.of()),
    /** {@code a * b} (broadcasting), for gates. */
    MUL(Category.TENSOR_OP, 2, List.of()),
    /** Concatenation of {@code inputs} tensors along {@code dim}. */
    CONCAT(Category.TENSOR_OP, -1, List.of(optInt("dim", 1, null), optInt("inputs", 2, 2))),
    /** Reshape of each example to {@code shape} (the batch axis is kept; -1 is not allowed). */
    RESHAPE(Category.TENSOR_OP, 1, List.of(reqInts("shape", 1))),
    /** Swaps axes {@code dim0} and {@code dim1}. */
    TRANSPOSE(Category.TENSOR_OP, 1, List.of(reqInt("dim0", Integer.MIN_VALUE), reqInt("dim1", Integer.MIN_VALUE))),
    /** Mean over axis {@code dim}. */
    MEAN(Category.TENSOR_OP, 1, List.of(reqInt("dim", Integer.MIN_VALUE), optBool("keepdim", false)));

    /** Palette groups. */
    public enum Category { LINEAR, CONVOLUTION, POOLING, NORMALIZATION, ACTIVATION, REGULARIZATION, SHAPE, ATTENTION, RECURRENT, TENSOR_OP }

    private final Category category;
    private final Class<? extends Layer> layerClass;
    private final int ports;
    private final List<Param> params;
    private final List<Arg> args;
    private final Constructor<? extends Layer> constructor;

    LayerType(Category category, Class<? extends Layer> layerClass, List<Param> params, Arg... args) {
        this.category = category;
        this.layerClass = layerClass;
        this.ports = 1;
        this.params = params;
        this.args = List.of(args);
        try {
            this.constructor = layerClass.getConstructor(Arrays.stream(args).map(Arg::type).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError("LayerType: " + layerClass.getSimpleName() + " has no constructor "
                    + Arrays.stream(args).map(a -> a.type().getSimpleName()).toList());
        }
    }

    LayerType(Category category, int ports, List<Param> params) {
        this.category = category;
        this.layerClass = null;
        this.ports = ports;
        this.params = params;
        this.args = List.of();
        this.constructor = null;
    }

    private static List<Param> convParams(boolean transposed) {
        List<Param> p = new java.util.ArrayList<>(List.of(reqInt("in_channels", 1), reqInt("out_channels", 1), reqInt("kernel_size", 1),
                optInt("stride", 1, 1), optInt("padding", 0, 0), optInt("dilation", 1, 1), optInt("groups", 1, 1), optBool("bias", true)));
        if (transposed) p.add(optInt("output_padding", 0, 0));
        return List.copyOf(p);
    }

    private static List<Param> maxPoolParams() {
        return List.of(reqInt("kernel_size", 1), nullableInt("stride", 1), optInt("padding", 0, 0), optInt("dilation", 1, 1), optBool("ceil_mode", false));
    }

    private static List<Param> avgPoolParams() {
        return List.of(reqInt("kernel_size", 1), nullableInt("stride", 1), optInt("padding", 0, 0), optBool("ceil_mode", false), optBool("count_include_pad", true));
    }

    private static List<Param> squareAvgPoolParams() {
        return List.of(reqInt("kernel_size", 1), nullableInt("stride", 1), optInt("padding", 0, 0));
    }

    private static List<Param> batchNormParams() {
        return List.of(reqInt("num_features", 1), optFloat("eps", 1e-5, 0.0), new Param("momentum", Param.Kind.FLOAT, false, 0.1, true, 0.0, List.of()),
                optBool("affine", true), optBool("track_running_stats", true));
    }

    private static List<Param> instanceNormParams() {
        return List.of(reqInt("num_features", 1), optFloat("eps", 1e-5, 0.0), optBool("affine", false), optBool("track_running_stats", false));
    }

    private static List<Param> recurrentParams() {
        return List.of(reqInt("input_size", 1), reqInt("hidden_size", 1), optInt("num_layers", 1, 1), optBool("bias", true),
                optBool("batch_first", false), optFloat("dropout", 0.0, 0.0), optBool("bidirectional", false));
    }

    /** The name in JSON: the layer's class name ({@code Conv2d}), or the op's ({@code Add}). */
    public String jsonName() {
        if (layerClass != null) return layerClass.getSimpleName();
        String n = name().toLowerCase(java.util.Locale.ROOT);
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }

    /** The type named {@code json} in a spec, if registered. */
    public static Optional<LayerType> of(String json) {
        for (LayerType t : values()) if (t.jsonName().equals(json)) return Optional.of(t);
        return Optional.empty();
    }

    /** The palette group. */
    public Category category() {
        return category;
    }

    /** True for a tensor op (no layer, no parameters). */
    public boolean isOp() {
        return layerClass == null;
    }

    /** The layer class, or null for an op. */
    public Class<? extends Layer> layerClass() {
        return layerClass;
    }

    /** The hyper-parameters, in constructor order. */
    public List<Param> params() {
        return params;
    }

    /** Number of input ports for resolved hyper-parameters {@code p} (Concat's {@code inputs}; 1 for every layer). */
    public int ports(Map<String, Object> p) {
        return ports >= 0 ? ports : (Integer) p.get("inputs");
    }

    /**
     * A new layer for resolved hyper-parameters {@code p}; a constructor's rejection (an
     * {@link IllegalArgumentException}: heads that do not divide the width, say) becomes a
     * {@link SpecException} at {@code pointer}.
     */
    public Layer create(Map<String, Object> p, String pointer) {
        if (layerClass == null) throw new IllegalStateException(this + " is an op, not a layer");
        Object[] values = args.stream().map(a -> a.value().apply(p)).toArray();
        try {
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            throw new SpecException(SpecException.Kind.BAD_PARAMETER, pointer, jsonName() + ": " + c.getMessage(), c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The constructor call {@link #create} makes, as Java source ({@code new Linear(784, 10, true)}); simple class name. */
    public String javaNew(Map<String, Object> p) {
        if (layerClass == null) throw new IllegalStateException(this + " is an op, not a layer");
        StringBuilder sb = new StringBuilder("new ").append(layerClass.getSimpleName()).append('(');
        for (int i = 0; i < args.size(); i++) sb.append(i == 0 ? "" : ", ").append(args.get(i).java().apply(p));
        return sb.append(')').toString();
    }
}
