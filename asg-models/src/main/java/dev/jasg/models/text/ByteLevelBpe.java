package dev.jasg.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jasg.nn.io.FormatException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level BPE tokenizer: text is split by GPT-2's pretokenizer regex
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, each piece's
 * UTF-8 bytes are mapped to printable characters by GPT-2's {@code bytes_to_unicode} (so a space
 * reads {@code Ġ}), and each piece is merged as GPT-2's {@code encoder.py}: repeatedly the adjacent
 * pair of lowest merge rank, every occurrence, until no pair has a rank. Decoding maps the tokens
 * back to bytes and reads them as UTF-8 (invalid sequences become U+FFFD, as
 * {@code errors="replace"}).
 *
 * <p>Reads {@code vocab.json} + {@code merges.txt} ({@link #fromFiles}) and HF's
 * {@code tokenizer.json} with a BPE model ({@link #fromTokenizerJson}). Special tokens such as
 * {@code <|endoftext|>} are tokens of the vocabulary ({@link #id}) but, as in GPT-2's reference
 * encoder, text that spells one is encoded as ordinary text. {@code \s} is Unicode white space, as in
 * Python's {@code regex} module. Immutable and safe to share between threads.
 */
public final class ByteLevelBpe {
    /** GPT-2's pretokenizer. */
    public static final Pattern PRETOKENIZER = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final Map<Character, Integer> CHAR_TO_BYTE = new HashMap<>();
    /** The 256 byte characters in GPT-2's vocabulary order (printable bytes first). */
    private static final List<String> BASE = new ArrayList<>();

    static {
        // GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the others to 256, 257, ...
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) bs.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) bs.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) bs.add(b);
        List<Integer> cs = new ArrayList<>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                bs.add(b);
                cs.add(256 + n++);
            }
        }
        for (int i = 0; i < 256; i++) {
            BYTE_TO_CHAR[bs.get(i)] = (char) (int) cs.get(i);
            CHAR_TO_BYTE.put((char) (int) cs.get(i), bs.get(i));
            BASE.add(String.valueOf((char) (int) cs.get(i)));
        }
    }

    private final Map<String, Integer> vocab;
    private final String[] tokens;
    private final List<String[]> merges;
    private final Map<String, Integer> ranks = new HashMap<>();
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * A tokenizer of {@code vocab} (token to id) and {@code merges} (pairs, in rank order).
     *
     * @throws IllegalArgumentException when a merge's parts or result are not in the vocabulary, or
     *     two tokens share an id
     */
    public ByteLevelBpe(Map<String, Integer> vocab, List<String[]> merges) {
        this.vocab = Map.copyOf(vocab);
        int max = -1;
        for (int id : vocab.values()) {
            if (id < 0) throw new IllegalArgumentException("ByteLevelBpe: negative token id " + id);
            max = Math.max(max, id);
        }
        tokens = new String[max + 1];
        for (var e : vocab.entrySet()) {
            if (tokens[e.getValue()] != null) {
                throw new IllegalArgumentException("ByteLevelBpe: tokens '" + tokens[e.getValue()] + "' and '" + e.getKey() + "' share id " + e.getValue());
            }
            tokens[e.getValue()] = e.getKey();
        }
        this.merges = List.copyOf(merges);
        for (int r = 0; r < merges.size(); r++) {
            String[] m = merges.get(r);
            if (m.length != 2 || !vocab.containsKey(m[0] + m[1])) {
                throw new IllegalArgumentException("ByteLevelBpe: merge " + r + " " + Arrays.toString(m) + " does not make a token of the vocabulary");
            }
            ranks.putIfAbsent(m[0] + ' ' + m[1], r);
        }
    }

    /** GPT-2's files: {@code vocab.json} (token to id) and {@code merges.txt} (one {@code "a b"} per line, an optional {@code #version} line first). */
    public static ByteLevelBpe fromFiles(Path vocabJson, Path mergesTxt) throws IOException {
        JsonNode v = readJson(vocabJson);
        if (!v.isObject()) throw new FormatException(vocabJson, "vocab.json must be a JSON object of token to id");
        Map<String, Integer> vocab = vocabOf(v, vocabJson);
        List<String[]> merges = new ArrayList<>();
        List<String> lines = Files.readAllLines(mergesTxt, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if ((i == 0 && line.startsWith("#version")) || line.isBlank()) continue;
            String[] parts = line.split(" ");
            if (parts.length != 2) throw new FormatException(mergesTxt, "line " + (i + 1) + " is not two tokens separated by one space: '" + line + "'");
            merges.add(parts);
        }
        return build(vocab, merges, mergesTxt);
    }

    /** HF's {@code tokenizer.json} with {@code model.type} {@code "BPE"} and a byte-level pretokenizer; {@code added_tokens} join the vocabulary. */
    public static ByteLevelBpe fromTokenizerJson(Path file) throws IOException {
        JsonNode root = readJson(file);
        JsonNode model = root.path("model");
        if (!model.isObject() || (model.has("type") && !"BPE".equals(model.get("type").asText()))) {
            throw new FormatException(file, "model.type must be \"BPE\", got " + model.path("type"));
        }
        if (root.hasNonNull("pre_tokenizer") && !root.get("pre_tokenizer").toString().contains("\"ByteLevel\"")) {
            throw new FormatException(file, "only byte-level BPE is supported; the pre_tokenizer is " + root.get("pre_tokenizer").path("type"));
        }
        if (!model.path("vocab").isObject()) throw new FormatException(file, "model.vocab must be a JSON object of token to id");
        Map<String, Integer> vocab = vocabOf(model.get("vocab"), file);
        for (JsonNode t : root.path("added_tokens")) vocab.putIfAbsent(t.path("content").asText(), t.path("id").asInt());
        List<String[]> merges = new ArrayList<>();
        int i = 0;
        for (JsonNode m : model.path("merges")) {
            String[] parts = m.isArray() ? new String[] {m.path(0).asText(), m.path(1).asText()} : m.asText().split(" ");
            if (parts.length != 2 || (m.isArray() && m.size() != 2)) throw new FormatException(file, "model.merges[" + i + "] is not a pair: " + m);
            merges.add(parts);
            i++;
        }
        return build(vocab, merges, file);
    }

    private static ByteLevelBpe build(Map<String, Integer> vocab, List<String[]> merges, Path file) {
        try {
            return new ByteLevelBpe(vocab, merges);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage());
        }
    }

    private static JsonNode readJson(Path file) throws IOException {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FormatException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, Integer> vocabOf(JsonNode v, Path file) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (var it = v.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().canConvertToInt()) throw new FormatException(file, "the id of token '" + e.getKey() + "' is not an integer: " + e.getValue());
            vocab.put(e.getKey(), e.getValue().intValue());
        }
        return vocab;
    }

    /** Writes {@code vocab.json} and {@code merges.txt} (GPT-2's format) into {@code dir}. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode v = json.createObjectNode();
        for (int i = 0; i < tokens.length; i++) if (tokens[i] != null) v.put(tokens[i], i);
        Files.writeString(dir.resolve("vocab.json"), json.writeValueAsString(v), StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder("#version: 0.2\n");
        for (String[] m : merges) sb.append(m[0]).append(' ').append(m[1]).append('\n');
        Files.writeString(dir.resolve("merges.txt"), sb, StandardCharsets.UTF_8);
    }

    /** The byte characters of GPT-2's {@code bytes_to_unicode}, in its vocabulary order (index 0 is {@code '!'}). */
    public static List<String> byteTokens() {
        return List.copyOf(BASE);
    }

    /** The pieces of {@code text} after pretokenizing, each as its byte characters ({@code " world"} reads {@code "Ġworld"}). */
    public static List<String> pretokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PRETOKENIZER.matcher(text);
        while (m.find()) out.add(byteChars(m.group()));
        return out;
    }

    static String byteChars(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        char[] cs = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) cs[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(cs);
    }

    /** The ids of {@code text}. */
    public int[] encode(String text) {
        List<int[]> parts = new ArrayList<>();
        int n = 0;
        for (String word : pretokenize(text)) {
            int[] ids = cache.get(word);
            if (ids == null) {
                ids = bpe(word);
                if (cache.size() < 50_000) cache.put(word, ids);
            }
            parts.add(ids);
            n += ids.length;
        }
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private int[] bpe(String word) {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < word.length(); i++) w.add(String.valueOf(word.charAt(i)));
        while (w.size() > 1) {
            int best = Integer.MAX_VALUE;
            String a = null, b = null;
            for (int i = 0; i + 1 < w.size(); i++) {
                Integer r = ranks.get(w.get(i) + ' ' + w.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    a = w.get(i);
                    b = w.get(i + 1);
                }
            }
            if (a == null) break;
            List<String> merged = new ArrayList<>(w.size());
            for (int i = 0; i < w.size(); i++) {
                if (i + 1 < w.size() && w.get(i).equals(a) && w.get(i + 1).equals(b)) {
                    merged.add(a + b);
                    i++;
                } else {
                    merged.add(w.get(i));
                }
            }
            w = merged;
        }
        int[] ids = new int[w.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.get(w.get(i));
            if (id == null) throw new IllegalStateException("ByteLevelBpe: token '" + w.get(i) + "' of word '" + word + "' is not in the vocabulary (a byte token is missing)");
            ids[i] = id;
        }
        return ids;
    }

    /** The text of {@code ids}: their bytes read as UTF-8, invalid sequences replaced by U+FFFD. */
    public String decode(int... ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < ids.length; i++) {
            String t = token(ids[i]);
            for (int k = 0; k < t.length(); k++) {
                Integer b = CHAR_TO_BYTE.get(t.charAt(k));
                if (b != null) {
                    bytes.write(b);
                } else {
                    byte[] raw = String.valueOf(t.charAt(k)).getBytes(StandardCharsets.UTF_8);
                    bytes.write(raw, 0, raw.length);
                }
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The token of {@code id}. */
    public String token(int id) {
        if (id < 0 || id >= tokens.length || tokens[id] == null) {
            throw new IllegalArgumentException("ByteLevelBpe: no token has id " + id + " (vocabulary of " + vocab.size() + ")");
        }
        return tokens[id];
    }

    /** The id of {@code token} (e.g. {@code "<|endoftext|>"}), or -1. */
    public int id(String token) {
        return vocab.getOrDefault(token, -1);
    }

    /** One more than the largest id. */
    public int vocabSize() {
        return tokens.length;
    }

    /** The merges in rank order. */
    public List<String[]> merges() {
        return merges;
    }
}
