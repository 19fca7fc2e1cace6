package dev.jasg.nn;

import dev.jasg.nn.attention.FeedForward;
import dev.jasg.nn.attention.LearnedPositionalEmbedding;
import dev.jasg.nn.attention.MultiHeadAttention;
import dev.jasg.nn.attention.RotaryEmbedding;
import dev.jasg.nn.attention.SinusoidalPositionalEncoding;
import dev.jasg.nn.attention.Transformer;
import dev.jasg.nn.attention.TransformerDecoder;
import dev.jasg.nn.attention.TransformerDecoderBlock;
import dev.jasg.nn.attention.TransformerDecoderLayer;
import dev.jasg.nn.attention.TransformerEncoder;
import dev.jasg.nn.attention.TransformerEncoderBlock;
import dev.jasg.nn.attention.TransformerEncoderLayer;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.optim.AdamW;
import dev.jasg.nn.optim.RMSprop;
import dev.jasg.nn.optim.SGD;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13 item 21: every layer (and optimizer) prints its settings in one style: booleans as
 * Java's {@code true}/{@code false}, no Python {@code True}/{@code None}, and numbers as Python's
 * {@code repr} does ({@code 1e-05}, {@code 0.1}, {@code 1.0}), never Java's {@code 1.0E-5}.
 */
class LayerReprTest {
    /** One printed object; {@code expected} is the whole string, or null where only the style is checked. */
    record Row(Object printed, String expected) {}

    private static List<Row> layers() {
        return List.of(
                new Row(new AdaptiveAvgPool2d(2), "AdaptiveAvgPool2d(output_size=(2, 2))"),
                new Row(new AdaptiveMaxPool2d(3, 2), "AdaptiveMaxPool2d(output_size=(3, 2))"),
                new Row(new AvgPool2d(2, 2, 1, true, false, 0), null),
                new Row(new BatchNorm1d(8), "BatchNorm1d(8, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)"),
                new Row(new BatchNorm2d(4, 1e-3, null, false, false), "BatchNorm2d(4, eps=0.001, momentum=null, affine=false, track_running_stats=false)"),
                new Row(new Conv2d(3, 8, 3, ConvOptions.defaults().padding("same").bias(false)), null),
                new Row(new ConvTranspose2d(8, 3, 2, ConvOptions.defaults().stride(2)), null),
                new Row(new Dropout(0.2), "Dropout(p=0.2, inplace=false)"),
                new Row(new ELU(), "ELU(alpha=1.0)"),
                new Row(new Embedding(10, 4, 0), "Embedding(10, 4, padding_idx=0)"),
                new Row(new Flatten(), "Flatten(start_dim=1, end_dim=-1)"),
                new Row(new GELU("tanh"), "GELU(approximate='tanh')"),
                new Row(new Identity(), "Identity()"),
                new Row(new LayerNorm(4), "LayerNorm((4,), eps=1e-05, elementwise_affine=true)"),
                new Row(new LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
                new Row(new Linear(4, 8), "Linear(in_features=4, out_features=8, bias=true)"),
                new Row(new LogSoftmax(1), "LogSoftmax(dim=1)"),
                new Row(new MaxPool2d(2, 2, 0, 1, true), null),
                new Row(new ReLU(), "ReLU()"),
                new Row(new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1, false)),
                        "Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=true)\n  (1): ReLU()\n"
                                + "  (2): Linear(in_features=8, out_features=1, bias=false)\n)"),
                // issue 18: a model spec's graph, its layers under their node ids
                new Row(dev.jasg.nn.spec.ModelSpec.parse("""
                        {"format_version": 1, "name": "tiny", "inputs": [{"name": "x", "shape": ["B", 2]}],
                         "nodes": [{"id": "fc", "type": "Linear", "params": {"in_features": 2, "out_features": 3}}, {"id": "act", "type": "ReLU"}],
                         "edges": [{"from": "x", "to": "fc"}, {"from": "fc", "to": "act"}], "output": "act"}""").build(),
                        "GraphModel(name=tiny\n  (fc): Linear(in_features=2, out_features=3, bias=true)\n  (act): ReLU()\n)"),
                // issue 14: recurrent layers, printed as PyTorch prints them
                new Row(new dev.jasg.nn.recurrent.LSTM(2, 3, 2, true, false, 0.5, true), "LSTM(2, 3, num_layers=2, dropout=0.5, bidirectional=true)"),
                new Row(new dev.jasg.nn.recurrent.GRU(2, 3, 1, false, true, 0, false), "GRU(2, 3, bias=false, batch_first=true)"),
                new Row(new dev.jasg.nn.recurrent.RNN(2, 3), "RNN(2, 3)"),
                new Row(new dev.jasg.nn.recurrent.LSTMCell(2, 3), "LSTMCell(2, 3)"),
                new Row(new dev.jasg.nn.recurrent.GRUCell(2, 3, false), "GRUCell(2, 3, bias=false)"),
                new Row(new dev.jasg.nn.recurrent.RNNCell(2, 3, true, "relu"), "RNNCell(2, 3, nonlinearity='relu')"),
                new Row(new SiLU(), "SiLU()"),
                new Row(new Sigmoid(), "Sigmoid()"),
                new Row(new Softmax(-1), "Softmax(dim=-1)"),
                new Row(new Softplus(), "Softplus(beta=1.0, threshold=20.0)"),
                new Row(new Tanh(), "Tanh()"),
                new Row(new AdaptiveAvgPool1d(3), "AdaptiveAvgPool1d(output_size=3)"),
                new Row(new AdaptiveMaxPool1d(3), "AdaptiveMaxPool1d(output_size=3)"),
                new Row(new AvgPool1d(3), "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"),
                new Row(new AvgPool3d(2), null),
                new Row(new CELU(0.5), "CELU(alpha=0.5)"),
                new Row(new Conv1d(2, 4, 3, ConvOptions.defaults().padding(1).paddingMode("reflect")), "Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=(1,), dilation=(1,), groups=1, bias=true, padding_mode='reflect')"),
                new Row(new Conv3d(2, 4, 3), null),
                new Row(new ConvTranspose1d(2, 4, 3), null),
                new Row(new GLU(), "GLU(dim=-1)"),
                new Row(new GroupNorm(2, 4), "GroupNorm(2, 4, eps=1e-05, affine=true)"),
                new Row(new Hardsigmoid(), "Hardsigmoid()"),
                new Row(new Hardswish(), "Hardswish()"),
                new Row(new Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
                new Row(new InstanceNorm1d(3), null),
                new Row(new InstanceNorm2d(3, 1e-5, true, false), null),
                new Row(new LocalResponseNorm(3), null),
                new Row(new LogSigmoid(), "LogSigmoid()"),
                new Row(new MaxPool1d(2), null),
                new Row(new MaxPool3d(2), null),
                new Row(new MaxUnpool2d(2), null),
                new Row(new Mish(), "Mish()"),
                new Row(new PReLU(), "PReLU(num_parameters=1)"),
                new Row(new PixelShuffle(2), "PixelShuffle(upscale_factor=2)"),
                new Row(new PixelUnshuffle(2), "PixelUnshuffle(downscale_factor=2)"),
                new Row(new ReLU6(), "ReLU6()"),
                new Row(new SELU(), "SELU()"),
                new Row(new Softsign(), "Softsign()"),
                new Row(new Threshold(0.1, 20), "Threshold(threshold=0.1, value=20.0)"),
                new Row(new Upsample(new double[] {2}, "bilinear", false), null),
                new Row(new FeedForward(8, 16, "gelu", 0.1, true), null),
                new Row(new LearnedPositionalEmbedding(16, 8), "LearnedPositionalEmbedding(max_len=16, d_model=8)"),
                new Row(new MultiHeadAttention(8, 2, true, 0.1, 4, 4), null),
                new Row(new SinusoidalPositionalEncoding(16, 8), null),
                new Row(new TransformerDecoderBlock(8, 2), null),
                new Row(new TransformerEncoderBlock(8, 2, 16, 0.1, true), null),
                new Row(new Transformer(8, 2, 1, 1, 16, 0.1, "relu", 1e-5, false, false), null),
                new Row(new TransformerEncoder(() -> new TransformerEncoderLayer(8, 2), 2, new LayerNorm(8)), null),
                new Row(new TransformerDecoder(() -> new TransformerDecoderLayer(8, 2), 2, null), null),
                new Row(new TransformerEncoderLayer(8, 2), null),
                new Row(new TransformerDecoderLayer(8, 2), null));
    }

    private static List<Row> others() {
        return List.of(
                new Row(new RotaryEmbedding(8, 16), "RotaryEmbedding(dim=8, max_len=16, base=10000.0)"),
                new Row(new Adam(1e-3), "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, amsgrad=false)"),
                new Row(new AdamW(1e-3), null),
                new Row(new SGD(0.1, 0.9), "SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=false)"),
                new Row(new RMSprop(1e-5), null));
    }

    // Java's scientific notation (1.0E-5), or Python's True/False/None.
    private static final Pattern FOREIGN = Pattern.compile("\\dE[-+]?\\d|\\b(True|False|None)\\b");

    @Test
    void everyLayerAndOptimizerPrintsBooleansAndNumbersInOneStyle() {
        List<Row> rows = new ArrayList<>(layers());
        rows.addAll(others());
        for (Row r : rows) {
            String s = r.printed().toString();
            String name = r.printed().getClass().getSimpleName();
            assertFalse(FOREIGN.matcher(s).find(), name + " prints in a foreign style: " + s);
            if (r.expected() != null) assertEquals(r.expected(), s, name);
        }
    }

    @Test
    void nestedLayersPrintTheirSettingsInTheSameStyle() {
        String s = new TransformerEncoderBlock(8, 2, 16, 0.1, true).toString();
        assertTrue(s.contains("eps=1e-05, elementwise_affine=true"), s);
        assertTrue(s.contains("norm_first=true"), s);
        assertTrue(s.contains("bias=true"), s);
    }

    @Test
    void numbersPrintAsPythonsReprDoes() {
        Object[][] cases = {
                {1e-5, "1e-05"}, {1e-5f, "1e-05"}, {2.5e-7, "2.5e-07"}, {-3e-9, "-3e-09"}, {1e-4, "0.0001"}, {0.001, "0.001"},
                {0.1, "0.1"}, {0.9f, "0.9"}, {0.999, "0.999"}, {1.0, "1.0"}, {-2.0, "-2.0"}, {20.0, "20.0"}, {10000.0, "10000.0"},
                {1e7, "10000000.0"}, {1.5e15, "1500000000000000.0"}, {1e16, "1e+16"}, {1.25e100, "1.25e+100"}, {0.0, "0.0"},
                {Double.NaN, "NaN"}, {true, "true"}, {false, "false"}, {null, "null"}, {"tanh", "'tanh'"}, {7, "7"}};
        for (Object[] c : cases) assertEquals(c[1], Repr.of(c[0]), String.valueOf(c[0]));
        assertEquals("7", Repr.of(7)); // an int is a whole number, not the float 7.0
        assertEquals("1e-08", Repr.of(1e-8));
    }

    /** A layer class added without a row here fails this test. */
    @Test
    void theTableHasARowForEveryPublicLayerClass() throws IOException, URISyntaxException {
        Path classes = Path.of(Layer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> all = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$"))::iterator) {
                String cn = classes.relativize(p).toString().replace('/', '.').replace('\\', '.').replaceAll("\\.class$", "");
                Class<?> c;
                try {
                    c = Class.forName(cn, false, Layer.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(cn, e);
                }
                if (Layer.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers()) && !Modifier.isAbstract(c.getModifiers())) {
                    all.add(c.getName());
                }
            }
        }
        Set<String> tabled = new TreeSet<>();
        for (Row r : layers()) tabled.add(r.printed().getClass().getName());
        assertEquals(all, tabled);
    }
}
