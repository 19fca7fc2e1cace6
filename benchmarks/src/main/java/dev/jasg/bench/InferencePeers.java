package dev.jasg.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.models.text.Gpt2;
import dev.jasg.models.text.Gpt2Config;
import dev.jasg.models.vision.ResNet;
import dev.jasg.nn.Layer;
import dev.jasg.onnx.OnnxExport;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Inference side by side with ONNX Runtime (Java, CPU execution provider): the zoo's resnet18
 * (1000 classes, 224 x 224 images) and a GPT-2-small forward (12 layers, width 768, logits over
 * the whole vocabulary for every position of a fixed-length sequence), each compiled once by
 * JASG with a symbolic batch, exported by JASG's own {@link OnnxExport} with the very parameter
 * values JASG holds (random initial values, identical in both), and loaded into an ONNX Runtime
 * session (all graph optimisations on, {@code --threads} intra-op threads, one inter-op thread).
 * Before timing, both peers run the same batch and the largest absolute difference of their
 * outputs is printed.
 *
 * <p>Each round times every (model, batch) on JASG and then at once on ONNX Runtime, for
 * {@code --seconds} each after a warm-up, so each round gives a same-run ratio; a run is the
 * whole call a user makes: the host input in, the host output out (JASG's {@code run} plus the
 * output copy; ONNX Runtime's tensor creation, {@code run} and the output buffer copy). One line
 * per round and (model, batch):
 * {@code round R MODEL bB jasg median M ms p90 P ms X UNIT/s | ort median ... | jasg/ort T}, where
 * the ratio is of throughputs (ORT's median latency over JASG's: above 1, JASG is faster). The
 * summary gives the medians over rounds. Every line is tagged with the CPU model, the JDK and
 * the thread counts.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:ActiveProcessorCount=2 -cp benchmarks/target/benchmarks.jar \
 *     dev.jasg.bench.InferencePeers [--only resnet18|gpt2]... [--rounds 3] [--seconds 5] [--warmup 3] [--threads 2] \
 *     [--resnet-batches 1,32] [--gpt2-batches 1,8] [--seq 128] [--keep-onnx DIR] [--jasg-only] [--jasg-conv gemm,auto] [--cpu-time]
 * </pre>
 *
 * <p>{@code --cpu-time} (with {@code --threads 1}) times each run by the calling thread's CPU time instead of the wall
 * clock: with one thread JASG's kernels run inline and ONNX Runtime (one intra-op thread) computes on the caller too,
 * so a machine loaded by other processes stretches neither figure by the time it takes the thread off the CPU.
 *
 * <p>{@code --jasg-conv gemm,auto} times one JASG executable per CPU convolution path ({@code -Djasg.cpu.conv}; {@code auto}
 * is the backend's own choice), sharing the parameters, each plan made under its path, in the same rounds against the
 * same ONNX Runtime session: a before/after of a convolution kernel in one run.
 *
 * <p>{@code -Djasg.bench.ortProfile=PREFIX} has ONNX Runtime write its per-node profile (a JSON file named from
 * {@code PREFIX}, printed at the end), to compare its time per node with JASG's ({@code -Djasg.cpu.profile=true}).
 *
 * <p>{@code --jasg-only} skips the export and ONNX Runtime, to profile JASG alone
 * ({@code -Djasg.cpu.profile=true} logs the time per op kind when the executable closes).
 *
 * <p>JASG's kernels use one thread per available processor, so the JVM is held to
 * {@code --threads} processors with {@code -XX:ActiveProcessorCount} ({@code benchmarks/peers/inference.sh}
 * does this); the command warns when the two differ.
 */
public final class InferencePeers {
    private InferencePeers() {}

    /** One model under test: how to build its graph, feed a batch and name its unit. */
    private record Model(String name, Graph graph, String input, DType inputType, int[] sampleDims, String unit, int unitsPerSample) {}

    /** Runs the comparison (see the class comment for the arguments). */
    public static void main(String[] args) throws Exception {
        List<String> only = new ArrayList<>();
        int rounds = 3, threads = 2, seq = 128;
        double seconds = 5, warmup = 3;
        int[] resnetBatches = {1, 32}, gptBatches = {1, 8};
        Path keep = null;
        boolean jasgOnly = false;
        List<String> convPaths = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--only" -> only.add(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--resnet-batches" -> resnetBatches = ints(args[++i]);
                case "--gpt2-batches" -> gptBatches = ints(args[++i]);
                case "--keep-onnx" -> keep = Path.of(args[++i]);
                case "--jasg-only" -> jasgOnly = true;
                case "--cpu-time" -> cpuTime = true;
                case "--jasg-conv" -> convPaths.addAll(Arrays.asList(args[++i].split(",")));
                default -> {
                    System.err.println("usage: InferencePeers [--only resnet18|gpt2]... [--rounds N] [--seconds S] [--warmup S] [--threads N]"
                            + " [--resnet-batches 1,32] [--gpt2-batches 1,8] [--seq 128] [--keep-onnx DIR] [--jasg-only] [--jasg-conv gemm,auto] [--cpu-time]");
                    System.exit(2);
                }
            }
        }
        if (only.isEmpty()) only = List.of("resnet18", "gpt2");
        if (cpuTime && threads != 1) {
            System.err.println("InferencePeers: --cpu-time needs --threads 1 (both peers then compute on the calling thread)");
            System.exit(2);
        }
        if (convPaths.isEmpty()) convPaths.add(System.getProperty(CONV_PROPERTY, "auto"));
        int processors = Runtime.getRuntime().availableProcessors();
        String tag = String.format(Locale.ROOT, "cpu=\"%s\" java=%s jasg_threads=%d ort_threads=%d", Machine.cpuModel(), Runtime.version(),
                processors, threads);
        System.out.printf(Locale.ROOT, "# inference peers %s kernels=\"%s\" ort=%s%n", tag, dev.jasg.cpu.CpuBackend.kernels(), ortVersion());
        if (processors != threads) {
            System.out.printf(Locale.ROOT, "# WARNING: JASG uses %d threads (available processors), ONNX Runtime %d; run with -XX:ActiveProcessorCount=%d%n",
                    processors, threads, threads);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, List<double[]>> perRound = new LinkedHashMap<>(); // "model bB" -> {jasgMedianMs, ortMedianMs} per round
        Map<String, String> units = new LinkedHashMap<>();
        try (Backend cpu = Backends.create("cpu")) {
            for (String name : only) {
                Model m = model(name, seq);
                int[] batches = name.equals("gpt2") ? gptBatches : resnetBatches;
                Path onnx = keep != null ? keep.resolve(name + ".onnx") : Files.createTempFile("jasg-" + name, ".onnx");
                if (keep != null) Files.createDirectories(keep);
                long t0 = System.nanoTime();
                try (Executable exe = cpu.compile(cpu.newParameters(0), m.graph())) {
                    if (jasgOnly) {
                        Files.deleteIfExists(onnx);
                        jasgOnly(name, m, exe, batches, rounds, seconds, warmup, tag);
                        continue;
                    }
                    OnnxExport.write(m.graph(), exe.parameters(), onnx);
                    System.out.printf(Locale.ROOT, "# %s: graph %d nodes, exported to %s (%.0f MiB) in %.1f s%n", name, m.graph().nodes().size(), onnx,
                            Files.size(onnx) / 1048576.0, (System.nanoTime() - t0) / 1e9);
                    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
                        opts.setIntraOpNumThreads(threads);
                        opts.setInterOpNumThreads(1);
                        opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                        String ortProfile = System.getProperty("jasg.bench.ortProfile");
                        if (ortProfile != null) opts.enableProfiling(ortProfile);
                        try (OrtSession session = env.createSession(onnx.toString(), opts)) {
                            if (keep == null) Files.deleteIfExists(onnx);
                            Map<Integer, Runner[]> runners = new LinkedHashMap<>();
                            // one executable per convolution path, sharing the parameters; a path is read when a plan is
                            // made, so each executable's plan for each batch is made (by its first run) under its path
                            List<Executable> variants = new ArrayList<>();
                            List<OnnxTensor> pinned = new ArrayList<>();
                            try {
                                for (int v = 0; v < convPaths.size(); v++) {
                                    variants.add(v == 0 ? exe : cpu.compile(exe.parameters(), m.graph()));
                                }
                                for (int b : batches) {
                                    Feed feed = feed(m, b);
                                    Runner[] rr = new Runner[convPaths.size() + 1];
                                    // each peer reads its output into one array per batch size, reused every run: ONNX Runtime
                                    // through an output pinned to a direct buffer, JASG through Outputs.copyInto (a new
                                    // 25 MB array a run, GPT-2's logits, kept the heap growing into untouched memory)
                                    float[] o = runOrt(env, session, m, feed);
                                    Runner ort = pinnedOrt(env, session, m, feed, o.length, pinned);
                                    ort.run();
                                    for (int v = 0; v < convPaths.size(); v++) {
                                        Executable ve = variants.get(v);
                                        float[] out = new float[o.length];
                                        rr[v] = () -> ve.run(Map.of(m.input(), feed.host())).copyInto("output", out);
                                        float[] a = withConvPath(convPaths.get(v), rr[v]);
                                        System.out.printf(Locale.ROOT, "# %s b%d conv %s: outputs agree to max |jasg - ort| = %.3g (max |output| %.3g, %d values)%n",
                                                name, b, convPaths.get(v), maxAbsDiff(a, o), maxAbs(a), a.length);
                                    }
                                    rr[convPaths.size()] = ort;
                                    runners.put(b, rr);
                                    units.put(name + " b" + b, m.unit());
                                }
                                for (int r = 1; r <= rounds; r++) {
                                    for (int b : batches) {
                                        Runner[] rr = runners.get(b);
                                        double units1 = (double) b * m.unitsPerSample();
                                        double[][] t = new double[rr.length][];
                                        for (int v = 0; v < rr.length; v++) t[v] = time(rr[v], seconds, warmup);
                                        double[] o = t[rr.length - 1];
                                        for (int v = 0; v < convPaths.size(); v++) {
                                            double[] j = t[v];
                                            String key = name + " b" + b + (convPaths.size() > 1 ? " " + convPaths.get(v) : "");
                                            System.out.printf(Locale.ROOT, "round %d %s jasg median %.2f ms p90 %.2f ms %.1f %s/s | ort median %.2f ms p90 %.2f ms %.1f %s/s | jasg/ort %.2f (%s)%n",
                                                    r, key, j[0], j[1], units1 * 1e3 / j[0], m.unit(), o[0], o[1], units1 * 1e3 / o[0], m.unit(), o[0] / j[0], tag);
                                            perRound.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {j[0], o[0], j[1], o[1]});
                                        }
                                    }
                                }
                                if (ortProfile != null) System.out.printf(Locale.ROOT, "# ONNX Runtime profile: %s%n", session.endProfiling());
                            } finally {
                                for (int v = 1; v < variants.size(); v++) variants.get(v).close();
                                for (OnnxTensor t : pinned) t.close();
                            }
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n# summary (%s): medians over rounds; jasg/ort is the median of the same-round throughput ratios%n", tag);
        System.out.printf(Locale.ROOT, "%-14s %12s %10s %12s %10s %9s   %s%n", "model batch", "jasg ms", "p90", "ort ms", "p90", "jasg/ort", "per round");
        for (var e : perRound.entrySet()) {
            List<double[]> rs = e.getValue();
            double[] ratios = rs.stream().mapToDouble(x -> x[1] / x[0]).toArray();
            StringBuilder per = new StringBuilder();
            for (double x : ratios) per.append(per.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", x));
            System.out.printf(Locale.ROOT, "%-14s %12.2f %10.2f %12.2f %10.2f %9.2f   %s%n", e.getKey(), median(rs, 0), median(rs, 2), median(rs, 1),
                    median(rs, 3), median(ratios), per);
        }
    }

    /** {@code -Djasg.cpu.conv}: the CPU backend's convolution path, read when a plan is made. */
    private static final String CONV_PROPERTY = "jasg.cpu.conv";

    /** Runs {@code r} (an executable's first run for its batch, which makes its plan) with {@link #CONV_PROPERTY} set to {@code path} ({@code auto}: unset). */
    private static float[] withConvPath(String path, Runner r) throws OrtException {
        String before = System.getProperty(CONV_PROPERTY);
        if (path.equals("auto")) System.clearProperty(CONV_PROPERTY);
        else System.setProperty(CONV_PROPERTY, path);
        try {
            return r.run();
        } finally {
            if (before == null) System.clearProperty(CONV_PROPERTY);
            else System.setProperty(CONV_PROPERTY, before);
        }
    }

    /** JASG alone (no export, no ONNX Runtime), e.g. to profile it with {@code -Djasg.cpu.profile=true}. */
    private static void jasgOnly(String name, Model m, Executable exe, int[] batches, int rounds, double seconds, double warmup, String tag)
            throws OrtException {
        for (int r = 1; r <= rounds; r++) {
            for (int b : batches) {
                Feed feed = feed(m, b);
                float[] out = exe.run(Map.of(m.input(), feed.host())).get("output").floats();
                double[] j = time(() -> exe.run(Map.of(m.input(), feed.host())).copyInto("output", out), seconds, warmup);
                System.out.printf(Locale.ROOT, "round %d %s b%d jasg median %.2f ms p90 %.2f ms %.1f %s/s (%s)%n", r, name, b, j[0], j[1],
                        (double) b * m.unitsPerSample() * 1e3 / j[0], m.unit(), tag);
            }
        }
    }

    @FunctionalInterface
    private interface Runner {
        float[] run() throws OrtException;
    }

    /** One batch of input: the JASG host tensor and the same values for ONNX Runtime. */
    private record Feed(HostTensor host, float[] floats, int[] ints, long[] shape) {}

    private static Model model(String name, int seq) {
        GraphBuilder b = new GraphBuilder();
        return switch (name) {
            case "resnet18" -> {
                Layer net = ResNet.resnet18().eval();
                b.output("output", net.apply(b.input("input", DType.F32, "N", 3, 224, 224)));
                yield new Model(name, b.build(), "input", DType.F32, new int[] {3, 224, 224}, "images", 1);
            }
            case "gpt2" -> {
                Gpt2 net = new Gpt2(Gpt2Config.gpt2());
                net.eval();
                b.output("output", net.apply(b.input("ids", DType.I32, "N", seq)));
                yield new Model(name, b.build(), "ids", DType.I32, new int[] {seq}, "tokens", seq);
            }
            default -> throw new IllegalArgumentException("InferencePeers: unknown model '" + name + "'; expected resnet18 or gpt2");
        };
    }

    private static Feed feed(Model m, int batch) {
        int per = 1;
        for (int d : m.sampleDims()) per *= d;
        long[] shape = new long[m.sampleDims().length + 1];
        int[] dims = new int[shape.length];
        shape[0] = dims[0] = batch;
        for (int i = 0; i < m.sampleDims().length; i++) shape[i + 1] = dims[i + 1] = m.sampleDims()[i];
        SplittableRandom r = new SplittableRandom(batch);
        if (m.inputType() == DType.I32) {
            int[] ids = new int[batch * per];
            for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(50257);
            return new Feed(HostTensor.ofInts(ids, dims), null, ids, shape);
        }
        float[] x = new float[batch * per];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return new Feed(HostTensor.of(x, dims), x, null, shape);
    }

    /**
     * ONNX Runtime writing its output into a tensor pinned to one direct buffer ({@code OrtSession.run} with pinned
     * outputs), read into one reused array: no allocation of the output's size per run, as JASG's {@code copyInto}.
     */
    private static Runner pinnedOrt(OrtEnvironment env, OrtSession session, Model m, Feed f, int elements, List<OnnxTensor> pinned)
            throws OrtException {
        long[] shape;
        try (OnnxTensor t = input(env, f); OrtSession.Result r = session.run(Map.of(m.input(), t))) {
            shape = ((ai.onnxruntime.TensorInfo) r.get(0).getInfo()).getShape();
        }
        FloatBuffer buffer = java.nio.ByteBuffer.allocateDirect(4 * elements).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        OnnxTensor out = OnnxTensor.createTensor(env, buffer, shape);
        pinned.add(out);
        String name = session.getOutputNames().iterator().next();
        float[] a = new float[elements];
        return () -> {
            try (OnnxTensor t = input(env, f); OrtSession.Result r = session.run(Map.of(m.input(), t), Map.of(name, out))) {
                buffer.get(0, a);
                return a;
            }
        };
    }

    private static OnnxTensor input(OrtEnvironment env, Feed f) throws OrtException {
        return f.ints() != null ? OnnxTensor.createTensor(env, IntBuffer.wrap(f.ints()), f.shape())
                : OnnxTensor.createTensor(env, FloatBuffer.wrap(f.floats()), f.shape());
    }

    private static float[] runOrt(OrtEnvironment env, OrtSession session, Model m, Feed f) throws OrtException {
        try (OnnxTensor t = input(env, f); OrtSession.Result r = session.run(Map.of(m.input(), t))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] a = new float[out.remaining()];
            out.get(a);
            return a;
        }
    }

    /** Runs for {@code warmup} then {@code seconds} (at least 3 timed runs); returns {median ms, p90 ms}. */
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    /** {@code --cpu-time}: time runs by the calling thread's CPU time (one thread each, see the class comment). */
    private static boolean cpuTime;

    private static double[] time(Runner r, double seconds, double warmup) throws OrtException {
        long end = System.nanoTime() + (long) (warmup * 1e9);
        do r.run(); while (System.nanoTime() < end);
        List<Double> ms = new ArrayList<>();
        end = System.nanoTime() + (long) (seconds * 1e9);
        while (ms.size() < 3 || System.nanoTime() < end) {
            long t0 = cpuTime ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            r.run();
            ms.add(((cpuTime ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - t0) / 1e6);
        }
        double[] a = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[] {percentile(a, 0.5), percentile(a, 0.9)};
    }

    private static double percentile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double median(double[] xs) {
        double[] a = xs.clone();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static double median(List<double[]> rows, int col) {
        return median(rows.stream().mapToDouble(x -> x[col]).toArray());
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalStateException("InferencePeers: outputs differ in size: jasg " + a.length + ", ort " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= m)) m = d; // NaN wins
        }
        return m;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) m = Math.max(m, Math.abs(x));
        return m;
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static String ortVersion() {
        return OrtEnvironment.getEnvironment().getVersion();
    }
}
