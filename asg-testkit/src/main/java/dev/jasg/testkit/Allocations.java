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
     * or why there are none. A warm path that allocates in one JVM and not in the next (Vector API code running boxed while
     * the JIT has not compiled it, or has dropped its compiled code) then names the method.
     */
    public static String topAllocationSites(Runnable call, int calls, int top) {
        long tid = Thread.currentThread().threadId();
        Path file = null;
        try (Recording r = new Recording()) {
            r.enable("jdk.ObjectAllocationSample").with("throttle", "100000/s").withStackTrace();
            r.start();
            for (int i = 0; i < calls; i++) call.run();
            r.stop();
            file = Files.createTempFile("jasg-allocations", ".jfr");
            r.dump(file);
            Map<String, Long> weights = new HashMap<>();
            // a sample weighs what the thread allocated since its previous sample: the first one's weight reaches back
            // before the recording, so it is left out
            java.util.List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getThread() != null && e.getThread().getJavaThreadId() == tid && e.getStackTrace() != null)
                    .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime)).skip(1).toList();
            for (RecordedEvent e : events) {
                String site = "?";
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    String type = f.getMethod().getType().getName();
                    if (type.startsWith("java.") || type.startsWith("jdk.internal.") || type.startsWith("sun.")) continue;
                    site = type + "." + f.getMethod().getName() + ":" + f.getLineNumber();
                    break;
                }
                String cls = e.getClass("objectClass") == null ? "?" : readable(e.getClass("objectClass").getName());
                weights.merge(site + "  (" + cls + ")", e.getLong("weight"), Long::sum);
            }
            if (weights.isEmpty()) return "no allocation samples on this thread in " + calls + " calls";
            return weights.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                    .map(x -> x.getValue() / calls + " bytes a call  " + x.getKey()).collect(Collectors.joining("\n  ", "  ", ""));
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
