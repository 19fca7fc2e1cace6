package dev.jasg.nn.spec;

import dev.jasg.nn.io.AtomicFiles;

import javax.lang.model.SourceVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a spec as one self-contained Java source file that compiles against the library: a
 * {@code Layer} subclass whose fields are the spec's layers, registered under the node ids (so the
 * parameter names are those of {@link ModelSpec#build()}), a {@code forward} that applies the
 * nodes in the order {@link GraphModel} does, a static {@code train(int maxSteps)} that trains it
 * with the spec's settings exactly as {@link SpecTraining#train} does and returns the losses, and
 * a {@code main} that prints them, one line per step ({@code step 1 loss 2.302585}).
 *
 * <pre>{@code
 * JavaExport.write(Templates.load("LeNet-5"), Path.of("LeNet5.java"));
 * // javac -cp jasg.jar LeNet5.java && java -cp jasg.jar:. LeNet5 50
 * }</pre>
 *
 * <p>Run on the same backend with the same seed, the exported program's losses are those of
 * {@link SpecTraining#train} step for step (a test compiles and runs it). Stateless.
 */
public final class JavaExport {
    private JavaExport() {}

    /** Writes {@code spec} to {@code path} atomically, as a class named after the file ({@code LeNet5.java}: {@code LeNet5}), in no package. */
    public static void write(ModelSpec spec, Path path) throws IOException {
        String file = path.getFileName().toString();
        if (!file.endsWith(".java")) throw new IllegalArgumentException("JavaExport: the file name must end in .java, got " + file);
        String source = source(spec, null, file.substring(0, file.length() - ".java".length()));
        byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(path, out -> out.write(bytes));
    }

    /**
     * The source of class {@code className} in package {@code packageName} (null: none). The spec
     * must build ({@link ModelSpec#build()}) and have training settings.
     */
    public static String source(ModelSpec spec, String packageName, String className) {
        if (!SourceVersion.isName(className) || className.contains(".")) throw new IllegalArgumentException("JavaExport: '" + className + "' is not a valid class name");
        if (packageName != null && !SourceVersion.isName(packageName)) throw new IllegalArgumentException("JavaExport: '" + packageName + "' is not a valid package name");
        spec.build();
        SpecTraining.Settings s = SpecTraining.checkSettings(spec);
        SpecGraph g = SpecGraph.of(spec, true);
        ModelSpec.Training t = spec.training();
        ModelSpec.Input in = spec.inputs().get(0);

        TreeSet<String> imports = new TreeSet<>(List.of("dev.jasg.core.Backend", "dev.jasg.core.Backends", "dev.jasg.core.DType", "dev.jasg.core.HostTensor",
                "dev.jasg.core.Tensor", "dev.jasg.nn.Layer", "dev.jasg.nn.data.Collate", "dev.jasg.nn.data.DataLoader", "dev.jasg.nn.data.Dataset",
                "dev.jasg.nn.data.Sample", "dev.jasg.nn.loss.Losses", "dev.jasg.nn.optim.Optimizer", "dev.jasg.nn.spec.SpecData", "dev.jasg.nn.spec.SpecTraining", "java.util.function.BiConsumer",
                "dev.jasg.nn.train.Trainer", "java.util.ArrayList", "java.util.List", "java.util.Locale", "java.util.Map",
                s.optimizer().type().getName()));
        if (s.scheduler() != null) imports.add(s.scheduler().type().getName());
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < spec.nodes().size(); i++) {
            if (g.types[i].isOp()) continue;
            Class<?> c = g.types[i].layerClass();
            imports.add(c.getName());
            if (g.types[i].javaNew(g.params.get(i)).contains("ConvOptions.")) imports.add("dev.jasg.nn.ConvOptions");
            String id = spec.nodes().get(i).id();
            fields.append("    /** Node '").append(id).append("' (").append(spec.nodes().get(i).type()).append("). */\n");
            fields.append("    final ").append(c.getSimpleName()).append(' ').append(field(id)).append(" = register(").append(Arg.string(id)).append(", ")
                    .append(g.types[i].javaNew(g.params.get(i))).append(");\n");
        }

        StringBuilder forward = new StringBuilder();
        for (int i : g.order) {
            String id = spec.nodes().get(i).id();
            String[] src = g.sources[i];
            String[] a = new String[src.length];
            for (int k = 0; k < src.length; k++) a[k] = local(spec, src[k]);
            Map<String, Object> p = g.params.get(i);
            String expr = switch (g.types[i]) {
                case ADD -> a[0] + ".add(" + a[1] + ")";
                case MUL -> a[0] + ".mul(" + a[1] + ")";
                case CONCAT -> "Tensor.concat(" + p.get("dim") + ", " + String.join(", ", a) + ")";
                case RESHAPE -> {
                    StringBuilder r = new StringBuilder(a[0]).append(".reshape(");
                    int[] d = GraphModel.reshapeSpec(p);
                    for (int k = 0; k < d.length; k++) r.append(k == 0 ? "" : ", ").append(d[k]);
                    yield r.append(')').toString();
                }
                case TRANSPOSE -> a[0] + ".transpose(" + p.get("dim0") + ", " + p.get("dim1") + ")";
                case MEAN -> a[0] + ".mean(" + p.get("dim") + ", " + p.get("keepdim") + ")";
                default -> field(id) + ".apply(" + a[0] + ")";
            };
            forward.append("        Tensor ").append(local(spec, id)).append(" = ").append(expr).append(";\n");
        }

        String dataset = switch (s.dataset()) {
            case FASHION_MNIST -> "SpecData.fashionMnist(" + Arg.string((String) s.datasetParams().get("dir")) + ", " + s.datasetParams().get("limit") + ")";
            case CSV -> "SpecData.csv(" + Arg.string((String) s.datasetParams().get("path")) + ", " + Arg.string((String) s.datasetParams().get("label_column")) + ", "
                    + Arg.string((String) s.datasetParams().get("delimiter")) + ", " + s.datasetParams().get("header") + ", DType."
                    + (s.loss().classification() ? "I32" : "F32") + ", " + s.datasetParams().get("limit") + ")";
            case IMAGE_FOLDER -> "SpecData.imageFolder(" + Arg.string((String) s.datasetParams().get("path")) + ", " + s.datasetParams().get("height") + ", "
                    + s.datasetParams().get("width") + ", " + s.datasetParams().get("limit") + ")";
            case SYNTHETIC -> "SpecData.synthetic(" + ints(SpecTraining.exampleShape(spec)) + ", " + s.datasetParams().get("size") + ", "
                    + (s.loss().classification() ? s.datasetParams().get("classes") : 0) + ", "
                    + ints(s.loss().classification() ? new int[0] : SpecTraining.targetShape(spec)) + ", " + s.datasetParams().get("seed") + "L, "
                    + s.datasetParams().get("limit") + ")";
        };
        List<String> inDims = new ArrayList<>();
        for (Object d : in.shape()) inDims.add(d instanceof String str ? Arg.string(str) : d.toString());
        List<String> targetDims = new ArrayList<>();
        for (Object d : SpecTraining.targetDims(spec, s)) targetDims.add(d instanceof String str ? Arg.string(str) : d.toString());

        StringBuilder sb = new StringBuilder();
        sb.append("// Generated by JASG's JavaExport from the model spec \"").append(javadoc(spec.name())).append("\" (format_version ")
                .append(spec.formatVersion()).append(").\n");
        if (packageName != null) sb.append("package ").append(packageName).append(";\n");
        sb.append('\n');
        for (String imp : imports) sb.append("import ").append(imp).append(";\n");
        sb.append("""

                /**
                 * The model spec "%s" as Java: the layers as registered fields, forward() applying them in the
                 * spec's order, and train() with the spec's training settings (%s, %s, batch %d, %d epoch(s), seed %d, backend %s).
                 */
                public final class %s extends Layer {
                    /** Step limit of the spec (0: none). */
                    public static final int MAX_STEPS = %d;
                    /** Epochs of the spec. */
                    public static final int EPOCHS = %d;
                    /** The fraction of the examples (the last ones) held out of training and evaluated. */
                    public static final double VALIDATION = %s;
                    /** Evaluate every this many steps too (0: at each epoch's end and at the end only). */
                    public static final int EVAL_EVERY = %d;

                """.formatted(javadoc(spec.name()), t.loss(), s.optimizer().jsonName(), t.batchSize(), t.epochs(), t.seed(), javadoc(t.backend()),
                className, t.maxSteps(), t.epochs(), Double.toString(((Number) s.datasetParams().get(DatasetKind.VALIDATION)).doubleValue()),
                (Integer) s.datasetParams().get(DatasetKind.EVAL_EVERY)));
        sb.append(fields).append('\n');
        if (spec.inputs().size() == 1) {
            sb.append("    @Override\n    public Tensor forward(Tensor input) {\n");
            sb.append("        Tensor ").append(local(spec, in.name())).append(" = input;\n");
        } else {
            sb.append("    @Override\n    public Tensor forward(Tensor input) {\n        throw new UnsupportedOperationException(\"this model has several inputs; call forward(Map)\");\n    }\n\n");
            sb.append("    /** The model on its inputs by name. */\n    public Tensor forward(Map<String, Tensor> inputs) {\n");
            for (ModelSpec.Input i : spec.inputs()) sb.append("        Tensor ").append(local(spec, i.name())).append(" = inputs.get(").append(Arg.string(i.name())).append(");\n");
        }
        sb.append(forward).append("        return ").append(local(spec, spec.output())).append(";\n    }\n\n");
        String scheduler = s.scheduler() == null ? "" : "            builder.scheduler(" + s.scheduler().javaNew("optimizer", s.schedulerParams()) + ", Trainer.SchedulerInterval."
                + (SchedulerType.perStep(s.schedulerParams()) ? "STEP" : "EPOCH") + ");\n";
        sb.append("""
                    /** Trains a new model with the spec's settings for at most {@code maxSteps} steps (0: the spec's epochs); returns each step's loss. */
                    public static List<Double> train(int maxSteps) {
                        return train(maxSteps, null);
                    }

                    /**
                     * {@link #train(int)}, evaluating the held-out examples (the last VALIDATION fraction) every EVAL_EVERY
                     * steps, at each epoch's end and at the end; {@code onEval} (may be null) gets the step and the metrics.
                     */
                    public static List<Double> train(int maxSteps, BiConsumer<Long, Map<String, Double>> onEval) {
                        Layer model = new %s();
                        Dataset<Sample> all = %s;
                        Dataset<Sample> data = SpecData.trainingPart(all, VALIDATION);
                        Dataset<Sample> heldOut = SpecData.heldOutPart(all, VALIDATION);
                        List<Double> losses = new ArrayList<>();
                        try (Backend backend = Backends.create(%s)) {
                            Optimizer optimizer = %s;
                            Trainer.Builder builder = Trainer.builder(backend, model)
                                    .input(%s, DType.%s, %s)
                                    .target(%s, DType.%s, %s)
                                    .loss(%s)
                                    .optimizer(optimizer)
                                    .seed(%dL);
                %s            try (Trainer trainer = builder.build();
                                 DataLoader<Sample, Map<String, HostTensor>> loader = DataLoader.builder(data, Collate.stack(%s, %s))
                                         .batchSize(%d).shuffle(%dL).build()) {
                                long evaluated = -1;
                                Map<String, Double> last = Map.of();
                                epochs:
                                for (int epoch = 0; epoch < EPOCHS; epoch++) {
                                    for (Map<String, HostTensor> batch : loader) {
                                        losses.add(trainer.step(batch));
                                        if (EVAL_EVERY > 0 && losses.size() %% EVAL_EVERY == 0 && heldOut.size() > 0) {
                                            last = evaluate(trainer, heldOut);
                                            evaluated = losses.size();
                                            if (onEval != null) onEval.accept(evaluated, last);
                                        }
                                        if (maxSteps > 0 && losses.size() >= maxSteps) break epochs;
                                    }
                                    if (heldOut.size() > 0 && evaluated != losses.size()) {
                                        last = evaluate(trainer, heldOut);
                                        evaluated = losses.size();
                                        if (onEval != null) onEval.accept(evaluated, last);
                                    }
                                    trainer.endEpoch(heldOut.size() > 0 ? last : Map.of());
                                }
                                if (heldOut.size() > 0 && evaluated != losses.size() && !losses.isEmpty()) {
                                    last = evaluate(trainer, heldOut);
                                    if (onEval != null) onEval.accept((long) losses.size(), last);
                                }
                            }
                        }
                        return losses;
                    }

                    private static Map<String, Double> evaluate(Trainer trainer, Dataset<Sample> heldOut) {
                        return SpecTraining.evaluate(trainer, heldOut, %s, %d, %s);
                    }

                    /** Trains with the spec's settings (an argument overrides the step limit) and prints each step's loss, then each evaluation ({@code eval step 3 val_loss 2.330456 accuracy 0.115385}). */
                    public static void main(String[] args) {
                        int maxSteps = args.length > 0 ? Integer.parseInt(args[0]) : MAX_STEPS;
                        StringBuilder evals = new StringBuilder();
                        List<Double> losses = train(maxSteps, (step, metrics) -> {
                            evals.append("eval step ").append(step);
                            metrics.forEach((k, v) -> evals.append(String.format(Locale.ROOT, " %%s %%.6f", k, v)));
                            evals.append(System.lineSeparator());
                        });
                        for (int i = 0; i < losses.size(); i++) System.out.printf(Locale.ROOT, "step %%d loss %%.6f%%n", i + 1, losses.get(i));
                        System.out.print(evals);
                    }
                }
                """.formatted(className, dataset, Arg.string(t.backend()), s.optimizer().javaNew(s.optimizerParams()),
                Arg.string(in.name()), in.dtype().name(), String.join(", ", inDims),
                Arg.string(SpecTraining.TARGET), s.loss().classification() ? "I32" : "F32", String.join(", ", targetDims),
                s.loss().javaRef(), t.seed(), scheduler, Arg.string(in.name()), Arg.string(SpecTraining.TARGET), t.batchSize(), t.seed(),
                Arg.string(in.name()), t.batchSize(), s.loss().classification()));
        return sb.toString();
    }

    /** The field of node {@code id}: the id, with '_' appended when it is a Java keyword. */
    static String field(String id) {
        return SourceVersion.isKeyword(id) ? id + "_" : id;
    }

    // The local variable holding node or input `id`'s value.
    private static String local(ModelSpec spec, String id) {
        return (spec.nodeIndex(id) >= 0 ? "y_" : "x_") + id;
    }

    private static String ints(int[] a) {
        StringBuilder sb = new StringBuilder("new int[] {");
        for (int i = 0; i < a.length; i++) sb.append(i == 0 ? "" : ", ").append(a[i]);
        return sb.append('}').toString();
    }

    // Text safe in a comment: no comment end, no line break, no Unicode escape.
    private static String javadoc(String s) {
        return s.replace("\\", "\\\\").replace("*/", "* /").replace("\n", " ").replace("\r", " ");
    }
}
