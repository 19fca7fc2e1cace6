package dev.jasg.nn.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One row per registered node type: a one-node spec builds, infers its output shape, and its
 * exported Java (every row compiled in one javac run) registers the same parameters and buffers
 * and gives the same output shape, so {@link LayerType#create} and {@link LayerType#javaNew} agree.
 */
class LayerTypeTableTest {
    // type | hyper-parameters (JSON) | input shape after the batch | input dtype
    static final String[] ROWS = {
            "Linear|{\"in_features\": 8, \"out_features\": 4, \"bias\": false}|8|F32",
            "Embedding|{\"num_embeddings\": 10, \"embedding_dim\": 4, \"padding_idx\": 0}|5|I32",
            "Identity|{}|8|F32",
            "Conv1d|{\"in_channels\": 2, \"out_channels\": 3, \"kernel_size\": 3, \"padding\": 1}|2,8|F32",
            "Conv2d|{\"in_channels\": 2, \"out_channels\": 4, \"kernel_size\": 3, \"stride\": 2, \"padding\": 1, \"groups\": 2, \"bias\": false}|2,8,8|F32",
            "Conv3d|{\"in_channels\": 2, \"out_channels\": 3, \"kernel_size\": 3}|2,6,6,6|F32",
            "ConvTranspose1d|{\"in_channels\": 2, \"out_channels\": 3, \"kernel_size\": 3, \"stride\": 2, \"output_padding\": 1}|2,8|F32",
            "ConvTranspose2d|{\"in_channels\": 2, \"out_channels\": 3, \"kernel_size\": 3}|2,8,8|F32",
            "MaxPool1d|{\"kernel_size\": 2}|2,8|F32",
            "MaxPool2d|{\"kernel_size\": 2, \"stride\": 1}|2,8,8|F32",
            "MaxPool3d|{\"kernel_size\": 2}|2,4,4,4|F32",
            "AvgPool1d|{\"kernel_size\": 2, \"count_include_pad\": false}|2,8|F32",
            "AvgPool2d|{\"kernel_size\": 2}|2,8,8|F32",
            "AvgPool3d|{\"kernel_size\": 2}|2,4,4,4|F32",
            "AdaptiveAvgPool1d|{\"output_size\": 2}|2,8|F32",
            "AdaptiveAvgPool2d|{\"output_size\": 2}|2,8,8|F32",
            "AdaptiveMaxPool1d|{\"output_size\": 2}|2,8|F32",
            "AdaptiveMaxPool2d|{\"output_size\": 2}|2,8,8|F32",
            "BatchNorm1d|{\"num_features\": 3, \"momentum\": null}|3,5|F32",
            "BatchNorm2d|{\"num_features\": 3}|3,4,4|F32",
            "LayerNorm|{\"normalized_shape\": [8], \"eps\": 1e-6}|8|F32",
            "GroupNorm|{\"num_groups\": 2, \"num_channels\": 4}|4,3,3|F32",
            "InstanceNorm1d|{\"num_features\": 3}|3,5|F32",
            "InstanceNorm2d|{\"num_features\": 3, \"affine\": true}|3,4,4|F32",
            "LocalResponseNorm|{\"size\": 2}|4,3,3|F32",
            "ReLU|{}|8|F32", "ReLU6|{}|8|F32", "LeakyReLU|{\"negative_slope\": 0.2}|8|F32", "PReLU|{\"num_parameters\": 1}|8|F32",
            "ELU|{}|8|F32", "CELU|{\"alpha\": 2}|8|F32", "SELU|{}|8|F32", "GELU|{\"approximate\": \"tanh\"}|8|F32", "SiLU|{}|8|F32",
            "Mish|{}|8|F32", "Sigmoid|{}|8|F32", "Tanh|{}|8|F32", "Softplus|{\"beta\": 2}|8|F32", "Softsign|{}|8|F32",
            "Hardsigmoid|{}|8|F32", "Hardswish|{}|8|F32", "Hardtanh|{\"min_val\": -2}|8|F32", "LogSigmoid|{}|8|F32",
            "Threshold|{\"threshold\": 0.1, \"value\": 0}|8|F32", "GLU|{}|8|F32", "Softmax|{\"dim\": 1}|8|F32", "LogSoftmax|{}|8|F32",
            "Dropout|{\"p\": 0.25}|8|F32",
            "Flatten|{}|2,3,4|F32",
            "PixelShuffle|{\"upscale_factor\": 2}|8,3,3|F32",
            "PixelUnshuffle|{\"downscale_factor\": 2}|2,4,4|F32",
            "Upsample|{\"scale_factor\": 2}|2,4,4|F32",
            "MultiHeadAttention|{\"embed_dim\": 8, \"num_heads\": 2}|5,8|F32",
            "TransformerEncoderBlock|{\"d_model\": 8, \"nhead\": 2, \"dim_feedforward\": 16, \"norm_first\": true}|5,8|F32",
            "FeedForward|{\"embed_dim\": 8, \"hidden\": 16}|5,8|F32",
            "SinusoidalPositionalEncoding|{\"max_len\": 10, \"d_model\": 8}|5,8|F32",
            "LearnedPositionalEmbedding|{\"max_len\": 10, \"d_model\": 8}|5,8|F32",
            "RNN|{\"input_size\": 8, \"hidden_size\": 4, \"batch_first\": true, \"nonlinearity\": \"relu\"}|5,8|F32",
            "LSTM|{\"input_size\": 8, \"hidden_size\": 4, \"batch_first\": true, \"num_layers\": 2}|5,8|F32",
            "GRU|{\"input_size\": 8, \"hidden_size\": 4, \"batch_first\": true, \"bidirectional\": true}|5,8|F32",
            "Add|{}|8|F32", "Mul|{}|8|F32", "Concat|{\"dim\": 1, \"inputs\": 3}|8|F32", "Reshape|{\"shape\": [2, 4]}|8|F32",
            "Transpose|{\"dim0\": 1, \"dim1\": 2}|2,4|F32", "Mean|{\"dim\": 1, \"keepdim\": true}|2,4|F32",
    };

    record Row(LayerType type, ModelSpec spec) {}

    static List<Row> rows() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Row> out = new ArrayList<>();
        for (String r : ROWS) {
            String[] f = r.split("\\|");
            LayerType t = LayerType.of(f[0]).orElseThrow(() -> new AssertionError("not registered: " + f[0]));
            @SuppressWarnings("unchecked") Map<String, Object> params = json.readValue(f[1], LinkedHashMap.class);
            List<Object> shape = new ArrayList<>(List.of("B"));
            for (String d : f[2].split(",")) shape.add(Integer.parseInt(d));
            // a Java keyword as id checks that the exporter renames the field but keeps the registered name
            String id = t == LayerType.LINEAR ? "new" : "node";
            ModelSpec.Node node = new ModelSpec.Node(id, f[0], params);
            List<ModelSpec.Edge> edges = new ArrayList<>();
            int ports = t.ports(Param.resolve(t.params(), params, f[0], ""));
            for (int k = 0; k < ports; k++) edges.add(new ModelSpec.Edge("x", id, k));
            ModelSpec.Training tr = ModelSpec.Training.defaults();
            tr = new ModelSpec.Training("mse", tr.optimizer(), null, 4, 1, 1, 0, "cpu", tr.dataset());
            ModelSpec spec = new ModelSpec(1, f[0], List.of(new ModelSpec.Input("x", DType.valueOf(f[3]), shape)), List.of(node), edges, id, tr, Map.of());
            out.add(new Row(t, spec));
        }
        return out;
    }

    @Test
    void everyTypeHasARow() throws Exception {
        Set<LayerType> seen = EnumSet.noneOf(LayerType.class);
        for (Row r : rows()) assertTrue(seen.add(r.type()), "two rows for " + r.type());
        assertEquals(EnumSet.allOf(LayerType.class), seen, "types without a row");
    }

    @Test
    void builtAndExportedLayersAgree(@TempDir Path dir) throws Exception {
        List<Row> rows = rows();
        List<String> files = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), "-d", dir.toString()));
        for (int i = 0; i < rows.size(); i++) {
            Path src = dir.resolve("T" + i + ".java");
            JavaExport.write(rows.get(i).spec(), src);
            files.add(src.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, javac.run(null, null, err, files.toArray(String[]::new)), err::toString);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            for (int i = 0; i < rows.size(); i++) {
                ModelSpec spec = rows.get(i).spec();
                GraphModel built = spec.build();
                Layer exported = (Layer) loader.loadClass("T" + i).getConstructor().newInstance();
                String what = spec.name() + "\n" + Files.readString(dir.resolve("T" + i + ".java"));
                assertEquals(built.namedParameters().toString(), exported.namedParameters().toString(), what);
                assertEquals(built.namedBuffers().toString(), exported.namedBuffers().toString(), what);
                assertEquals(built.toString().replace("GraphModel(name=" + spec.name(), ""), exported.toString().replace("T" + i + "(", ""), what);
                assertEquals(outputShape(built, spec), outputShape(exported, spec), what);
            }
        }
    }

    private static String outputShape(Layer m, ModelSpec spec) {
        GraphBuilder b = new GraphBuilder();
        ModelSpec.Input in = spec.inputs().get(0);
        Tensor y = m.apply(b.input(in.name(), in.dtype(), in.toShape()));
        return y.shape() + " " + y.dtype();
    }

    @Test
    void paramNamesAreSnakeCaseAndUnique() {
        for (LayerType t : LayerType.values()) {
            List<String> names = t.params().stream().map(Param::name).toList();
            assertEquals(names.size(), Set.copyOf(names).size(), t + ": " + names);
            for (String n : names) assertTrue(n.matches("[a-z][a-z0-9_]*"), t + ": " + n);
        }
        assertTrue(Arrays.stream(LayerType.values()).filter(LayerType::isOp).count() >= 6);
    }
}
