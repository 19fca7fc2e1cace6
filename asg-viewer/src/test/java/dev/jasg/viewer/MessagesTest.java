package dev.jasg.viewer;

import dev.jasg.viewer.graph.Category;
import dev.jasg.viewer.inspect.ParameterRole;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The UI bundles have the same keys in both languages, and every key the code asks for exists. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class MessagesTest {
    @Test
    void bothLanguagesHaveTheSameKeysAndNoBlankText() {
        Set<String> en = new TreeSet<>(Messages.of(Language.EN).bundle().keySet()), ru = new TreeSet<>(Messages.of(Language.RU).bundle().keySet());
        assertEquals(en, ru);
        for (Language l : Language.values()) {
            for (String k : en) assertTrue(!Messages.of(l).get(k).isBlank(), l + " " + k);
        }
        // Texts that are the same in both languages on purpose.
        Set<String> same = Set.of("window.title", "toolbar.exportPng", "toolbar.exportSvg", "data.fashion");
        List<String> untranslated = new ArrayList<>();
        for (String k : en) {
            if (!same.contains(k) && Messages.of(Language.EN).get(k).equals(Messages.of(Language.RU).get(k))) untranslated.add(k);
        }
        assertTrue(untranslated.isEmpty(), "untranslated: " + untranslated);
    }

    @Test
    void everyKeyTheCodeUsesExists() throws IOException {
        Pattern call = Pattern.compile("\\b(?:m|messages)\\.(?:get|format)\\(\"([a-zA-Z0-9_.]+)\"\\s*[,)]");
        Pattern button = Pattern.compile("button\\(\"([a-zA-Z0-9_.]+)\"");
        Pattern literal = Pattern.compile("\"((?:inspector\\.stats|role|init)\\.[a-zA-Z0-9_.]*[a-zA-Z0-9_])\"");
        List<String> missing = new ArrayList<>();
        Set<String> have = Messages.of(Language.EN).bundle().keySet();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                for (Pattern p : List.of(call, button, literal)) {
                    Matcher mt = p.matcher(src);
                    while (mt.find()) if (!have.contains(mt.group(1))) missing.add(f.getFileName() + ": " + mt.group(1));
                }
            }
        }
        for (Category c : Category.values()) if (!have.contains(c.messageKey())) missing.add("Category: " + c.messageKey());
        for (dev.jasg.viewer.demo.DemoModel d : dev.jasg.viewer.demo.DemoModel.values()) if (!have.contains("model." + d.id())) missing.add("DemoModel: model." + d.id());
        assertTrue(missing.isEmpty(), "keys used but not in messages_en:\n" + String.join("\n", missing));
    }

    @Test
    void rolesOfTypicalParametersHaveTexts() {
        String[][] cases = {
                {"block.self_attn.q_proj.weight", "32,32", "role.attn.q_proj"},
                {"block.self_attn.v_proj.bias", "32", "role.attn.bias"},
                {"block.norm1.weight", "32", "role.norm.gamma"},
                {"norm.bias", "32", "role.norm.beta"},
                {"pos_emb.weight", "16,32", "role.position"},
                {"tok_emb.weight", "10,32", "role.embedding"},
                {"0.weight", "8,1,3,3", "role.conv.kernel"},
                {"1.weight", "128,784", "role.linear.weight"},
                {"block.ff.linear1.weight", "64,32", "role.ffn.linear1"},
                {"head.weight", "10,32", "role.head"},
                {"1.bias", "128", "role.bias"},
                {"optim.step", "", "role.optim.step"},
                {"optim.exp_avg.1.weight", "128,784", "role.optim.exp_avg"},
                {"optim.exp_avg_sq.1.weight", "128,784", "role.optim.exp_avg_sq"},
                {"drop.seed", "", "role.dropout.seed"},
                {"bn.running_mean", "8", "role.batchnorm.running_mean"},
        };
        for (String[] c : cases) {
            int[] dims = c[1].isEmpty() ? new int[0] : Stream.of(c[1].split(",")).mapToInt(Integer::parseInt).toArray();
            ParameterRole.Role r = ParameterRole.of(c[0], dev.jasg.core.Shape.of(dims));
            assertEquals(c[2], r.key(), c[0]);
            for (Language l : Language.values()) {
                String text = Messages.of(l).format(r.key(), r.args());
                assertTrue(!text.contains("{"), l + " " + c[0] + ": " + text);
            }
        }
        assertTrue(ParameterRole.describe(Messages.of(Language.RU), "block.self_attn.q_proj.weight", dev.jasg.core.Shape.of(32, 32)).contains("запросов"));
    }

    /**
     * The Russian texts have no English left in them: every Latin word is a name (of a class, an
     * op, a format, a product) or a symbol, from this list.
     */
    @Test
    void russianTextsHaveNoEnglishLeftovers() {
        Set<String> names = Set.of("JASG", "Viewer", "PNG", "SVG", "Ctrl", "C", "F", "G", "ReLU", "GELU", "Dropout", "BatchNorm1d", "LayerNorm", "Linear",
                "Identity", "Adam", "AMSGrad", "JSON", "Java", "SGD", "RMSprop", "PyTorch", "GPT", "NaN", "Inf", "Fashion", "MNIST", "Vulkan", "Mesa", "CPU",
                "apt", "get", "install", "libvulkan1", "mesa", "vulkan", "drivers", "dataset", "fashion", "mnist", "synthetic", "headless", "DISPLAY",
                "epochs", "steps", "train", "images", "idx3", "ubyte", "labels", "idx1", "t10k", "gz", "x", "y", "b", "W", "Wᵀ", "W_Q", "W_K", "W_V",
                "W_O", "Q", "K", "Kᵀ", "d", "t", "m", "v", "U", "N", "fan_in", "fan_out", "padding_idx", "loss", "gather", "dropout", "lavapipe",
                "n", "p", "GPU", "Lavapipe", "orthogonal_", "Conv2d", "MultiHeadAttention", "FeedForward", "ONNX", "opset", "Model", "Lab");
        Pattern word = Pattern.compile("[A-Za-z][A-Za-z0-9_ᵀ]*");
        List<String> leftovers = new ArrayList<>();
        for (String key : new TreeSet<>(Messages.of(Language.RU).bundle().keySet())) {
            // code samples and markup are not prose
            String text = Messages.of(Language.RU).get(key).replaceAll("<code>.*?</code>", "").replaceAll("<[^>]+>", "")
                    .replaceAll("\\{[0-9]+\\}", "").replaceAll("--[a-z]+", "");
            Matcher mt = word.matcher(text);
            while (mt.find()) if (!names.contains(mt.group())) leftovers.add(key + ": " + mt.group());
        }
        assertTrue(leftovers.isEmpty(), "English in the Russian texts:\n" + String.join("\n", leftovers));
    }
}
