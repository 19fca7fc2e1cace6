package dev.jasg.testkit;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/** What a warm call allocates on the calling thread, for tests that hold a path to allocating nothing. Stateless and thread-safe. */
public final class Allocations {
    private Allocations() {}

    /**
     * Runs {@code call} in rounds, {@code warm} calls then {@code measured} calls counted by the calling thread's
     * allocation counter, until a round's bytes per call are at most {@code bound} or {@code limit} has passed, and
     * returns the fewest bytes per call a round gave. Rounds go on because Vector API code allocates (boxed) until the
     * JIT has compiled it.
     */
    public static long warmBytesPerCall(Runnable call, int warm, int measured, long bound, Duration limit) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long best = Long.MAX_VALUE, deadline = System.nanoTime() + limit.toNanos();
        while (best > bound && System.nanoTime() < deadline) {
            for (int i = 0; i < warm; i++) call.run();
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < measured; i++) call.run();
            best = Math.min(best, (threads.getThreadAllocatedBytes(tid) - before) / measured);
        }
        return best;
    }

    /**
     * Where {@code calls} runs of {@code call} allocate on the calling thread, for a failure message: JFR's allocation
     * samples ({@code jdk.ObjectAllocationSample}) of this thread, summed by the first frame outside the JDK's own packages
     * with the class allocated, the {@code top} heaviest as lines {@code "N bytes a call  Class.method:line  (allocated type)"} (JFR's estimate
     * from its samples' weights);
     * or why there are none. Then the same sums from the thread's new TLABs and allocations outside them
     * ({@code jdk.ObjectAllocationInNewTLAB}, {@code ...OutsideTLAB}: not throttled, each new TLAB weighed whole, so a
     * rough share; JFR's samples stayed empty over 5,000 calls of a few KB each where these named the site), the
     * heaviest site's first frames with how each ran ({@code Interpreted}, {@code JIT compiled}, {@code Inlined}), and
     * the thread's deoptimizations by method and reason. A warm path that allocates in one JVM and not in the next (Vector
     * API code running boxed while the JIT has not compiled it, or has dropped its compiled code, or compiled it so that
     * it boxes) then names the method.
     */
    public static String topAllocationSites(Runnable call, int calls, int top) {
        long tid = Thread.currentThread().threadId();
        Path file = null;
        try (Recording r = new Recording()) {
            r.enable("jdk.ObjectAllocationSample").with("throttle", "100000/s").withStackTrace();
            // TLAB refills are not throttled, so a steady few KB a call shows there when the samples stay silent
            r.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
            r.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            // compiled code that keeps trapping reallocates the objects it had eliminated, on this thread
            r.enable("jdk.Deoptimization").withStackTrace();
            r.start();
            for (int i = 0; i < calls; i++) call.run();
            r.stop();
            file = Files.createTempFile("jasg-allocations", ".jfr");
            r.dump(file);
            Map<String, Long> samples = new HashMap<>(), tlabs = new HashMap<>(), deopts = new HashMap<>();
            Map<String, String> stacks = new HashMap<>();
            // a sample weighs what the thread allocated since its previous sample: the first one's weight reaches back
            // before the recording, so it is left out
            java.util.List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getThread() != null && e.getThread().getJavaThreadId() == tid && e.getStackTrace() != null)
                    .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime)).toList();
            boolean first = true;
            for (RecordedEvent e : events) {
                String type = e.getEventType().getName();
                if (type.equals("jdk.Deoptimization")) {
                    deopts.merge(frame(e.getStackTrace().getFrames().get(0)) + " " + e.getValue("reason") + "/" + e.getValue("action"), 1L, Long::sum);
                    continue;
                }
                String cls = e.getClass("objectClass") == null ? "?" : readable(e.getClass("objectClass").getName());
                String site = site(e) + "  (" + cls + ")";
                stacks.computeIfAbsent(site, k -> stack(e));
                switch (type) {
                    case "jdk.ObjectAllocationSample" -> {
                        if (!first) samples.merge(site, e.getLong("weight"), Long::sum);
                        first = false;
                    }
                    case "jdk.ObjectAllocationInNewTLAB" -> tlabs.merge(site, e.getLong("tlabSize"), Long::sum);
                    default -> tlabs.merge(site, e.getLong("allocationSize"), Long::sum);
                }
            }
            StringBuilder sb = new StringBuilder();
            sb.append(samples.isEmpty() ? "no allocation samples on this thread in " + calls + " calls" : "allocation samples:\n" + heaviest(samples, calls, top));
            if (!tlabs.isEmpty()) sb.append("\nnew TLABs and allocations outside them:\n").append(heaviest(tlabs, calls, top));
            // the heaviest site's frames, each with how it ran (interpreted, compiled, inlined): which compiled method boxes
            Map<String, Long> all = samples.isEmpty() ? tlabs : samples;
            all.entrySet().stream().max(Map.Entry.comparingByValue())
                    .ifPresent(x -> sb.append("\nframes of the heaviest site:\n").append(stacks.get(x.getKey())));
            if (!deopts.isEmpty()) {
                sb.append("\ndeoptimizations on this thread (count):\n").append(deopts.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                        .map(x -> "  " + x.getValue() + "  " + x.getKey()).collect(Collectors.joining("\n")));
            }
            return sb.toString();
        } catch (IOException | RuntimeException e) {
            return "no allocation profile: " + e;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
    }

    /** The first frame outside the JDK's own packages, as {@code Class.method:line}. */
    private static String site(RecordedEvent e) {
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("java.") || type.startsWith("jdk.internal.") || type.startsWith("sun.")) continue;
            return frame(f);
        }
        return "?";
    }

    /** The first frames of an event's stack, one indented line each, with the frame's type. */
    private static String stack(RecordedEvent e) {
        return e.getStackTrace().getFrames().stream().limit(12).map(f -> "    " + frame(f) + " (" + f.getType() + ")")
                .collect(Collectors.joining("\n"));
    }

    private static String frame(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName() + ":" + f.getLineNumber();
    }

    /** The {@code top} heaviest sites, bytes a call, one indented line each. */
    private static String heaviest(Map<String, Long> weights, int calls, int top) {
        return weights.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .map(x -> "  " + x.getValue() / calls + " bytes a call  " + x.getKey()).collect(Collectors.joining("\n"));
    }

    /** A JVM class name as Java writes it: {@code [J} as {@code long[]}, {@code [Ljava.lang.String;} as {@code java.lang.String[]}. */
    static String readable(String name) {
        int dims = 0;
        while (dims < name.length() && name.charAt(dims) == '[') dims++;
        if (dims == 0) return name;
        String rest = name.substring(dims);
        String base = switch (rest) {
            case "J" -> "long";
            case "I" -> "int";
            case "F" -> "float";
            case "D" -> "double";
            case "B" -> "byte";
            case "S" -> "short";
            case "C" -> "char";
            case "Z" -> "boolean";
            default -> rest.startsWith("L") && rest.endsWith(";") ? rest.substring(1, rest.length() - 1) : rest;
        };
        return base + "[]".repeat(dims);
    }
}
