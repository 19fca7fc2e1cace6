package dev.jasg.gpu;

import static org.lwjgl.vulkan.VK10.*;

import dev.jasg.bench.Machine;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkCommandBuffer;
import org.lwjgl.vulkan.VkCommandBufferBeginInfo;

/**
 * Times a feed's way to the device as a run takes it: the host's copy into a mapped staging buffer on 1, 4 and 8 threads
 * ({@link StagingCopier}), the device's copy of it into device memory, and both one after the other. Medians of 15, in
 * milliseconds. Argument: the feed's floats (default GPT-2's {@code [8, 1024, 768]}). {@code gpu-machine.sh feeds} runs it.
 */
public final class FeedProbe {
    private FeedProbe() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 8 * 1024 * 768;
        System.out.printf(Locale.ROOT, "# host CPU: %s, %d processors; a feed of %d floats (%.1f MiB)%n", Machine.cpuModel(),
                Runtime.getRuntime().availableProcessors(), n, n / 262144.0);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = i * 0.5f;
        try (VulkanDevice dev = VulkanDevice.open();
             DeviceBuffer dst = DeviceBuffer.device(dev, 4L * n, "probe destination");
             DeviceBuffer st = DeviceBuffer.host(dev, 4L * n, "probe staging")) {
            System.out.println("# device: " + dev.name);
            FloatBuffer fb = st.mapped.duplicate().order(st.mapped.order()).clear().asFloatBuffer();
            StringBuilder line = new StringBuilder("feed:");
            for (int threads : new int[] {1, 4, 8}) {
                line.append(String.format(Locale.ROOT, " stage/%d %.3f", threads, median(() -> StagingCopier.copy(fb, 0, f, threads))));
            }
            long fence = dev.createFence();
            VkCommandBuffer cb = dev.allocateCommandBuffer();
            try {
                try (MemoryStack s = MemoryStack.stackPush()) {
                    vkBeginCommandBuffer(cb, VkCommandBufferBeginInfo.calloc(s).sType$Default());
                    VulkanDevice.copy(cb, st.buffer, 0, dst.buffer, 0, 4L * n);
                    vkEndCommandBuffer(cb);
                }
                line.append(String.format(Locale.ROOT, " copy %.3f", median(() -> dev.submitAndWait(cb, fence, "probe"))));
                for (int threads : new int[] {1, 4, 8}) {
                    line.append(String.format(Locale.ROOT, " stage/%d+copy %.3f", threads, median(() -> {
                        StagingCopier.copy(fb, 0, f, threads);
                        dev.submitAndWait(cb, fence, "probe");
                    })));
                }
            } finally {
                dev.freeCommandBuffer(cb);
                dev.destroyFence(fence);
            }
            System.out.println(line + " ms");
        }
    }

    private static double median(Runnable r) {
        double[] t = new double[15];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }
}
