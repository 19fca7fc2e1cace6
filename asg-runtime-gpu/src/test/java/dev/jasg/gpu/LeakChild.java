package dev.jasg.gpu;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lwjgl.system.MemoryUtil;

/**
 * A whole program for {@link LifecycleTest}, run in a JVM whose heap is fixed and touched from the start (so its resident
 * size moves with native memory only): opens, uses and closes 50 Vulkan backends and prints {@code grown <bytes>}, the
 * resident size's growth from the tenth cycle to the last, after checking that every close brought the live Vulkan
 * objects back to their count. {@code leak} leaks 2 MiB of touched native memory a cycle, to show the measure sees one.
 */
public final class LeakChild {
    private LeakChild() {}

    public static void main(String[] args) throws Exception {
        boolean leak = args.length > 0 && args[0].equals("leak");
        List<ByteBuffer> leaked = new ArrayList<>();
        int before = -1;
        long base = 0;
        for (int i = 0; i < 50; i++) {
            if (i == 10) {
                before = VulkanDevice.LIVE_OBJECTS.get();
                base = rss();
            }
            VulkanBackend gpu = new VulkanBackend();
            gpu.newParameters(1);
            float y = LifecycleTest.run(gpu);
            if (y != 42f) throw new AssertionError("cycle " + i + " computed " + y + ", not 42");
            gpu.close();
            if (before >= 0 && VulkanDevice.LIVE_OBJECTS.get() != before) {
                throw new AssertionError("live Vulkan objects after close #" + i + ": " + VulkanDevice.LIVE_OBJECTS.get() + ", not " + before);
            }
            if (leak) {
                ByteBuffer m = MemoryUtil.memAlloc(2 << 20);
                for (int q = 0; q < m.capacity(); q += 4096) m.put(q, (byte) 1);
                leaked.add(m);
            }
        }
        System.out.println("grown " + (rss() - base) + " over 40 backends, " + leaked.size() + " leaks");
    }

    private static long rss() throws java.io.IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", "")) * 1024;
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
