package dev.jasg.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jasg.nn.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Byte-level BPE against GPT-2's reference algorithm in Python (make_gpt2_fixtures.py): the ids of
 * a corpus of strings (unicode, spaces, punctuation, numbers) in both file forms, the round trip,
 * and the trainer's merges.
 */
class ByteLevelBpeTest {
    static Path resource(String name) throws URISyntaxException {
        return Path.of(ByteLevelBpeTest.class.getResource(name).toURI());
    }

    static JsonNode fixture() throws IOException {
        try (InputStream in = ByteLevelBpeTest.class.getResourceAsStream("bpe_fixtures.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static ByteLevelBpe tiny() throws Exception {
        return ByteLevelBpe.fromFiles(resource("tiny_vocab.json"), resource("tiny_merges.txt"));
    }

    static void checkCorpus(ByteLevelBpe bpe, String form) throws IOException {
        for (JsonNode c : fixture().get("cases")) {
            String text = c.get("text").asText();
            int[] want = new int[c.get("ids").size()];
            for (int i = 0; i < want.length; i++) want[i] = c.get("ids").get(i).asInt();
            int[] got = bpe.encode(text);
            assertArrayEquals(want, got, form + ": ids of '" + text + "'");
            assertEquals(text, bpe.decode(got), form + ": round trip of '" + text + "'");
        }
    }

    @Test
    void vocabAndMergesGiveTheReferenceIds() throws Exception {
        checkCorpus(tiny(), "vocab.json + merges.txt");
    }

    @Test
    void tokenizerJsonGivesTheSameIds(@TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode vocab = json.readTree(resource("tiny_vocab.json").toFile());
        List<String> lines = Files.readAllLines(resource("tiny_merges.txt"), StandardCharsets.UTF_8);
        for (boolean pairs : new boolean[] {false, true}) {
            ObjectNode root = json.createObjectNode();
            ObjectNode model = root.putObject("model");
            model.put("type", "BPE");
            model.set("vocab", vocab);
            ArrayNode merges = model.putArray("merges");
            for (String l : lines.subList(1, lines.size())) {
                if (pairs) merges.addArray().add(l.split(" ")[0]).add(l.split(" ")[1]);
                else merges.add(l);
            }
            root.putObject("pre_tokenizer").put("type", "ByteLevel");
            Path file = dir.resolve("tokenizer" + pairs + ".json");
            Files.writeString(file, json.writeValueAsString(root));
            checkCorpus(ByteLevelBpe.fromTokenizerJson(file), pairs ? "tokenizer.json (merges as pairs)" : "tokenizer.json");
        }
    }

    @Test
    void byteMappingIsGpt2s() {
        assertEquals("Ġworld", ByteLevelBpe.pretokenize(" world").get(0));
        assertEquals(List.of("Hello", ",", "Ġworld", "'s", "Ġ", "Ġ12", "!"), ByteLevelBpe.pretokenize("Hello, world's  12!"));
        assertEquals("!", ByteLevelBpe.byteTokens().get(0));
        assertEquals(256, ByteLevelBpe.byteTokens().size());
    }

    @Test
    void trainerLearnsTheReferenceMerges(@TempDir Path dir) throws Exception {
        JsonNode f = fixture();
        List<String> texts = new ArrayList<>();
        for (JsonNode t : f.get("train_texts")) texts.add(t.asText());
        ByteLevelBpe trained = BpeTrainer.train(texts, f.get("vocab_size").asInt(), "<|endoftext|>");
        List<String> want = Files.readAllLines(resource("tiny_merges.txt"), StandardCharsets.UTF_8);
        List<String> got = new ArrayList<>(List.of("#version: 0.2"));
        for (String[] m : trained.merges()) got.add(m[0] + " " + m[1]);
        assertEquals(want, got);
        checkCorpus(trained, "trained");
        trained.save(dir);
        checkCorpus(ByteLevelBpe.fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt")), "saved and read back");
    }

    @Test
    void malformedFilesNameTheProblem(@TempDir Path dir) throws Exception {
        Path merges = dir.resolve("merges.txt"), tok = dir.resolve("tokenizer.json");
        Files.writeString(merges, "#version: 0.2\nh e\nthree tokens here\n");
        Files.writeString(tok, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
        Object[][] cases = {
            {(ThrowingRunnable) () -> ByteLevelBpe.fromFiles(resource("tiny_vocab.json"), merges), "line 3 is not two tokens"},
            {(ThrowingRunnable) () -> ByteLevelBpe.fromTokenizerJson(tok), "model.type must be \"BPE\""},
        };
        for (Object[] c : cases) {
            FormatException e = assertThrows(FormatException.class, ((ThrowingRunnable) c[0])::run);
            assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> tiny().decode(9999));
        assertTrue(e.getMessage().contains("no token has id 9999"), e.getMessage());
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
