package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.models.vision.VisionTransformer;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ParameterSpec;
import dev.jasg.nn.data.ImageFolder;
import dev.jasg.nn.data.transform.CenterCrop;
import dev.jasg.nn.data.transform.Normalize;
import dev.jasg.nn.data.transform.Resize;
import dev.jasg.nn.data.transform.ToTensor;
import dev.jasg.nn.data.transform.Transform;
import dev.jasg.nn.io.SafeTensors;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Classifies images with a zoo model and prints the top-5 ImageNet classes of each, as
 * torchvision's reference script does: {@code Resize(256)} (bilinear, shorter side),
 * {@code CenterCrop(224)}, {@code ToTensor()}, {@code Normalize(ImageNet mean, std)}, then softmax.
 * Weights are a SafeTensors file with torchvision's parameter names (convert a torchvision
 * {@code .pth} with the {@code pt2safetensors} tool); class names come from
 * {@code imagenet_classes.txt} (torchvision's 1000 ImageNet-1k names, shipped with the examples)
 * or {@code --labels FILE} (one name per line); with {@code --labels none} indices are printed.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=dev.jasg.examples.ImageClassify \
 *     -Dexec.args="--model vit_b_16 --weights vit_b_16.safetensors cat.jpg dog.png"</pre>
 */
public final class ImageClassify {
    /** Models this example knows, by torchvision's function name. */
    public static final List<String> MODELS = List.of("vit_b_16", "resnet18", "mobilenet_v2");

    static final String USAGE = """
            usage: ImageClassify --model NAME --weights FILE [options] IMAGE...
              --model NAME     vit_b_16, resnet18 or mobilenet_v2
              --weights FILE   SafeTensors weights with torchvision's parameter names
              --labels FILE    class names, one per line (default: the ImageNet-1k names; 'none' prints indices)
              --backend NAME   cpu, reference or vulkan (default cpu)
            """;

    private ImageClassify() {}

    /** The model called {@code name}, without weights; throws {@link IllegalArgumentException} for a model this build lacks. */
    public static Layer model(String name) {
        return switch (name) {
            case "vit_b_16" -> VisionTransformer.vitB16();
            case "resnet18" -> dev.jasg.models.vision.ResNet.resnet18();
            case "mobilenet_v2" -> dev.jasg.models.vision.MobileNetV2.mobilenetV2();
            default -> throw new IllegalArgumentException("unknown model '" + name + "' (" + String.join(", ", MODELS) + ")");
        };
    }

    /** torchvision's ImageNet evaluation preprocessing of an {@code [H, W, 3]} 0..255 image: resize 256, crop 224, to [0, 1], normalise. */
    public static Transform preprocessing() {
        return new ToTensor().andThen(new Resize(256)).andThen(new CenterCrop(224))
                .andThen(new Normalize(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225}));
    }

    /** One predicted class: index, name (or null) and probability. */
    public record Prediction(int index, String label, double probability) {}

    /** The {@code k} most probable classes of each row of {@code logits [N, C]}, by softmax. */
    public static List<List<Prediction>> topK(HostTensor logits, int k, List<String> labels) {
        int n = logits.shape().dim(0), c = logits.shape().dim(1);
        List<List<Prediction>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < c; j++) max = Math.max(max, logits.get(i * c + j));
            double[] p = new double[c];
            for (int j = 0; j < c; j++) sum += p[j] = Math.exp(logits.get(i * c + j) - max);
            Integer[] idx = new Integer[c];
            for (int j = 0; j < c; j++) idx[j] = j;
            java.util.Arrays.sort(idx, (a, b) -> Double.compare(p[b], p[a]));
            List<Prediction> row = new ArrayList<>();
            for (int j = 0; j < Math.min(k, c); j++) {
                int cls = idx[j];
                row.add(new Prediction(cls, labels != null && cls < labels.size() ? labels.get(cls) : null, p[cls] / sum));
            }
            out.add(row);
        }
        return out;
    }

    /** Torchvision's ImageNet-1k class names, shipped as a resource. */
    public static List<String> imagenetClasses() throws IOException {
        try (InputStream in = ImageClassify.class.getResourceAsStream("imagenet_classes.txt")) {
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        }
    }

    /** Logits {@code [N, classes]} of {@code images} under {@code weights} (every parameter of the model must be there). */
    public static HostTensor classify(Backend backend, Layer model, Map<String, HostTensor> weights, List<HostTensor> images) {
        TreeSet<String> missing = new TreeSet<>(model.namedParameters().keySet());
        missing.removeAll(weights.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the weights lack " + missing.size() + " parameters of the model, e.g. " + missing.first());
        }
        int[] d = images.get(0).shape().dims();
        float[] batch = new float[images.size() * images.get(0).size()];
        for (int i = 0; i < images.size(); i++) System.arraycopy(images.get(i).floats(), 0, batch, i * images.get(0).size(), images.get(0).size());
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, Shape.of(images.size(), d[0], d[1], d[2]));
        g.output("logits", model.eval().apply(x));
        var store = backend.newParameters(0);
        try (Executable exe = backend.compile(store, g.build())) {
            for (var e : model.namedParameters().entrySet()) store.set(e.getKey(), checked(e.getKey(), e.getValue(), weights.get(e.getKey())));
            return exe.run(Map.of("x", HostTensor.of(batch, images.size(), d[0], d[1], d[2]))).get("logits");
        }
    }

    private static HostTensor checked(String name, ParameterSpec spec, HostTensor t) {
        if (!t.shape().equals(spec.shape())) {
            throw new IllegalArgumentException("weight " + name + " has shape " + t.shape() + " but the model expects " + spec.shape());
        }
        return t;
    }

    /** Parses the flags (see {@code --help}), classifies the images and prints the top 5 of each. */
    public static void main(String[] args) throws IOException {
        String modelName = null, backendName = "cpu", labelsArg = null;
        Path weights = null;
        List<Path> images = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--model" -> modelName = args[++i];
                    case "--weights" -> weights = Path.of(args[++i]);
                    case "--labels" -> labelsArg = args[++i];
                    case "--backend" -> backendName = args[++i];
                    case "--help", "-h" -> {
                        System.out.print(USAGE);
                        return;
                    }
                    default -> {
                        if (args[i].startsWith("--")) throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                        images.add(Path.of(args[i]));
                    }
                }
            }
            if (modelName == null || weights == null || images.isEmpty()) throw new IllegalArgumentException("--model, --weights and at least one image are required");
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            System.err.println("ImageClassify: " + (e instanceof ArrayIndexOutOfBoundsException ? args[args.length - 1] + " needs a value" : e.getMessage()));
            System.err.print(USAGE);
            System.exit(2);
        }
        Layer model;
        try {
            model = model(modelName);
        } catch (IllegalArgumentException e) {
            System.err.println("ImageClassify: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<String> labels = labelsArg == null ? imagenetClasses() : labelsArg.equals("none") ? null : Files.readAllLines(Path.of(labelsArg));
        Transform pre = preprocessing();
        List<HostTensor> inputs = new ArrayList<>();
        for (Path p : images) inputs.add(pre.apply(ImageFolder.readRgb(p)));
        Map<String, HostTensor> w = SafeTensors.load(weights);
        Backend backend;
        try {
            backend = Backends.create(backendName);
        } catch (BackendUnavailableException e) {
            System.err.println("ImageClassify: the '" + backendName + "' backend is not available: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (backend) {
            HostTensor logits = classify(backend, model, w, inputs);
            List<List<Prediction>> top = topK(logits, 5, labels);
            for (int i = 0; i < images.size(); i++) {
                System.out.println(images.get(i) + ":");
                for (Prediction p : top.get(i)) {
                    System.out.printf("  %6.2f%%  %4d  %s%n", 100 * p.probability(), p.index(), p.label() == null ? "" : p.label());
                }
            }
        }
    }
}
