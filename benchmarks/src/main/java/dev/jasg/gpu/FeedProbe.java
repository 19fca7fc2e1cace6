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
 * Times a feed's way to the device in each kind of host-visible memory ({@link DeviceBuffer.HostMemory}): the host's copy
 * into the staging buffer on 1, 4 and 8 threads ({@link StagingCopier}), the device's copy of it into device memory, both
 * one after the other, and both in 4 MiB chunks whose copies are submitted as they are staged (as {@link
 * ExecutionPlan#PIPELINE_FEEDS_PROPERTY} does). Medians of 15 in milliseconds. Argument: the feed's floats (default GPT-2's
 * {@code [8, 1024, 768]}). {@code gpu-machine.sh feeds} runs it.
 */
public final class FeedProbe {
    private FeedProbe() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 8 * 1024 * 768;
        System.out.println("# host CPU: " + Machine.cpuModel() + ", feed of " + n + " floats (" + String.format(Locale.ROOT, "%.1f", n / 262144.0) + " MiB)");
        try (VulkanDevice dev = VulkanDevice.open(); DeviceBuffer dst = DeviceBuffer.device(dev, 4L * n, "probe destination")) {
            System.out.println("# device: " + dev.name);
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = i * 0.5f;
            long fence = dev.createFence();
            try {
                for (DeviceBuffer.HostMemory where : DeviceBuffer.HostMemory.values()) {
                    try (DeviceBuffer st = DeviceBuffer.host(dev, 4L * n, where, "probe staging")) {
                        probe(dev, where, st, dst, f, fence);
                    } catch (DeviceMemoryException e) {
                        System.out.println(where + ": " + e.getMessage());
                    }
                }
            } finally {
                dev.destroyFence(fence);
            }
        }
    }

    private static void probe(VulkanDevice dev, DeviceBuffer.HostMemory where, DeviceBuffer st, DeviceBuffer dst, float[] f, long fence) {
        int n = f.length;
        FloatBuffer fb = st.mapped.duplicate().order(st.mapped.order()).clear().asFloatBuffer();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s (memory type %d, flags 0x%x):", where, st.memoryType,
                dev.memoryFlags(st.memoryType)));
        for (int threads : new int[] {1, 4, 8}) line.append(String.format(Locale.ROOT, " stage/%d %.3f", threads, median(() -> StagingCopier.copy(fb, 0, f, threads))));
        VkCommandBuffer whole = record(dev, st, dst, 0, n);
        int chunk = ExecutionPlan.FEED_CHUNK_FLOATS, parts = (n + chunk - 1) / chunk;
        VkCommandBuffer[] chunks = new VkCommandBuffer[parts];
        for (int i = 0; i < parts; i++) chunks[i] = record(dev, st, dst, i * chunk, Math.min(chunk, n - i * chunk));
        try {
            line.append(String.format(Locale.ROOT, " copy %.3f", median(() -> dev.submitAndWait(whole, fence, "probe"))));
            for (int threads : new int[] {4, 8}) {
                line.append(String.format(Locale.ROOT, " stage/%d+copy %.3f", threads, median(() -> {
                    StagingCopier.copy(fb, 0, f, threads);
                    dev.submitAndWait(whole, fence, "probe");
                })));
            }
            for (int threads : new int[] {1, 4}) {
                line.append(String.format(Locale.ROOT, " chunked/%d %.3f", threads, median(() -> {
                    for (int i = 0; i < parts; i++) {
                        int lo = i * chunk, len = Math.min(chunk, n - lo);
                        StagingCopier.copy(fb, lo, f, lo, len, threads);
                        if (i < parts - 1) dev.submit(chunks[i], "probe");
                        else dev.submitAndWait(chunks[i], fence, "probe");
                    }
                })));
            }
        } finally {
            dev.freeCommandBuffer(whole);
            for (VkCommandBuffer c : chunks) dev.freeCommandBuffer(c);
        }
        System.out.println(line + " ms");
    }

    private static VkCommandBuffer record(VulkanDevice dev, DeviceBuffer st, DeviceBuffer dst, int from, int len) {
        VkCommandBuffer cb = dev.allocateCommandBuffer();
        try (MemoryStack s = MemoryStack.stackPush()) {
            vkBeginCommandBuffer(cb, VkCommandBufferBeginInfo.calloc(s).sType$Default());
            VulkanDevice.copy(cb, st.buffer, 4L * from, dst.buffer, 4L * from, 4L * len);
            vkEndCommandBuffer(cb);
        }
        return cb;
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
