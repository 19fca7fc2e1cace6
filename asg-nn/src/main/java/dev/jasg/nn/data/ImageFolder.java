package dev.jasg.nn.data;

import dev.jasg.core.HostTensor;
import dev.jasg.nn.data.transform.Transform;
import dev.jasg.nn.io.FormatException;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * torchvision's {@code ImageFolder}: a directory with one sub-directory per class,
 * {@code root/<class>/**&#47;<image>}. Classes are the sub-directory names sorted (by UTF-16 code
 * unit, which is Python's {@code sorted()} for names in the Basic Multilingual Plane), labelled
 * 0, 1, ... in that order; images are the files under each class folder (sub-folders too) whose
 * name ends, ignoring case, in {@code .png}, {@code .jpg}, {@code .jpeg}, {@code .bmp} or
 * {@code .gif}, in sorted path order. Other files are ignored, as torchvision does; a class folder
 * without an image is an error, as in torchvision.
 *
 * <p>{@link #get} decodes the image through {@code javax.imageio} on every call and returns it as
 * {@link #readRgb(Path)} does, F32 {@code [H, W, 3]} with values 0..255 (PIL's
 * {@code convert("RGB")}), passed through the dataset's transform (typically {@link
 * dev.jasg.nn.data.transform.ToTensor} first), with an I32 scalar label. Differences from
 * torchvision: PPM/PGM/TIFF/WebP are not read (javax.imageio has no decoder for them), and
 * 16-bit samples are reduced to their high byte.
 */
public final class ImageFolder implements Dataset<Sample> {
    /** File name endings (lower case) that are read as images. */
    public static final Set<String> EXTENSIONS = Set.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    /** One image file and its class index. */
    public record Item(Path file, int label) {}

    private final Path root;
    private final List<String> classes;
    private final List<Item> items;
    private final Transform transform;

    /** The images under {@code root}, untransformed. */
    public ImageFolder(Path root) throws IOException {
        this(root, x -> x);
    }

    /**
     * The images under {@code root}, each passed through {@code transform}. Throws
     * {@link java.nio.file.NoSuchFileException} when {@code root} is not a directory and
     * {@link FormatException} (naming the folder) when it has no class folder or a class folder
     * has no image.
     */
    public ImageFolder(Path root, Transform transform) throws IOException {
        if (!Files.isDirectory(root)) throw new java.nio.file.NoSuchFileException(root.toString(), null, "ImageFolder: not a directory");
        this.root = root;
        this.transform = transform;
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
        }
        Collections.sort(names);
        if (names.isEmpty()) throw new FormatException(root, "ImageFolder: no class folder (one sub-directory per class) in this directory");
        List<Item> found = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            Path dir = root.resolve(names.get(c));
            List<Path> files;
            try (Stream<Path> s = Files.walk(dir, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
                files = s.filter(Files::isRegularFile).filter(ImageFolder::isImage).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new FormatException(dir, "ImageFolder: class folder '" + names.get(c) + "' holds no image file (" + String.join(", ", sortedExtensions()) + ")");
            }
            for (Path f : files) found.add(new Item(f, c));
        }
        this.classes = List.copyOf(names);
        this.items = List.copyOf(found);
    }

    private static List<String> sortedExtensions() {
        List<String> e = new ArrayList<>(EXTENSIONS);
        Collections.sort(e);
        return e;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String e : EXTENSIONS) if (n.endsWith(e)) return true;
        return false;
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    /** Class names, sorted; label {@code i} is {@code classes().get(i)}. */
    public List<String> classes() {
        return classes;
    }

    /** Class name to label, torchvision's {@code class_to_idx}. */
    public Map<String, Integer> classToIdx() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) m.put(classes.get(i), i);
        return Collections.unmodifiableMap(m);
    }

    /** Every image file with its label, in dataset order (torchvision's {@code samples}). */
    public List<Item> items() {
        return items;
    }

    @Override
    public int size() {
        return items.size();
    }

    /** Image {@code index} decoded, converted to RGB and transformed, with its I32 scalar label; a file that does not decode throws {@link FormatException} naming it; an I/O failure is wrapped in {@link UncheckedIOException}. */
    @Override
    public Sample get(int index) {
        Item it = items.get(index);
        try {
            return new Sample(transform.apply(readRgb(it.file())), HostTensor.ofInts(new int[] {it.label()}));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes {@code file} (PNG, JPEG, BMP, GIF) with {@code javax.imageio} into F32 {@code [H, W, 3]}
     * holding 0..255, as PIL's {@code Image.open(f).convert("RGB")}: a grayscale image repeats its
     * gray value in R, G and B (the stored value, with no colour-space conversion), alpha is dropped
     * (not composited), palette images are expanded. A file javax.imageio cannot decode throws
     * {@link FormatException} naming it.
     */
    public static HostTensor readRgb(Path file) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString());
            throw new FormatException(file, "not a readable image: " + e.getMessage(), e);
        }
        if (img == null) {
            if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString());
            throw new FormatException(file, "not an image javax.imageio can decode (PNG, JPEG, BMP or GIF expected)");
        }
        int h = img.getHeight(), w = img.getWidth();
        float[] out = new float[h * w * 3];
        boolean gray = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && img.getColorModel().getNumColorComponents() == 1 && !(img.getColorModel() instanceof java.awt.image.IndexColorModel);
        if (gray) {
            // getRGB would map the linear gray colour space to sRGB and change the values; PIL copies them.
            Raster r = img.getRaster();
            int bits = img.getColorModel().getComponentSize(0);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = r.getSample(x, y, 0);
                    if (bits > 8) v >>= bits - 8;
                    else if (bits < 8) v = v * 255 / ((1 << bits) - 1);
                    int o = (y * w + x) * 3;
                    out[o] = out[o + 1] = out[o + 2] = v;
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3, p = row[x];
                    out[o] = (p >> 16) & 0xFF;
                    out[o + 1] = (p >> 8) & 0xFF;
                    out[o + 2] = p & 0xFF;
                }
            }
        }
        return HostTensor.of(out, h, w, 3);
    }
}
