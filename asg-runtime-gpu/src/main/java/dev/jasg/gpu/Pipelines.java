package dev.jasg.gpu;

import static dev.jasg.gpu.VkCheck.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.*;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compute pipelines by kernel name, created once per backend from cached SPIR-V through a
 * {@code VkPipelineCache} that is loaded from and saved to disk, so a second start neither
 * compiles GLSL nor rebuilds pipelines from scratch. Every kernel binds {@code n} storage
 * buffers at set 0, bindings 0..n-1, and takes up to 128 bytes of push constants.
 */
final class Pipelines implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipelines.class);
    /** The push-constant size every device supports. */
    static final int PUSH_BYTES = 128;

    /** A pipeline with its layouts; the layouts are shared by kernels with the same number of buffers. */
    record Pipeline(String name, long pipeline, long layout, long setLayout, int buffers) {}

    private final VulkanDevice dev;
    private final long cache;
    private final Path cacheFile;
    private final Map<String, Pipeline> pipelines = new HashMap<>();
    private final Map<Integer, long[]> layouts = new HashMap<>();
    /** The driver's statistics of each kernel's compiled code, where the device captures them ({@link VulkanDevice#pipelineStatistics}). */
    private final Map<String, String> statistics = new java.util.TreeMap<>();

    Pipelines(VulkanDevice dev) {
        this.dev = dev;
        this.cacheFile = ShaderCompiler.cacheDirectory().resolve(String.format("pipelines-%04x-%04x-%s.bin", dev.vendorId, dev.deviceId,
                HexFormat.of().formatHex(dev.pipelineCacheUuid)));
        byte[] initial = null;
        try {
            if (Files.isRegularFile(cacheFile)) initial = Files.readAllBytes(cacheFile);
        } catch (IOException e) {
            LOG.warn("cannot read pipeline cache {}: {}", cacheFile, e.toString());
        }
        try (MemoryStack s = stackPush()) {
            VkPipelineCacheCreateInfo ci = VkPipelineCacheCreateInfo.calloc(s).sType$Default();
            ByteBuffer data = initial == null ? null : VulkanDevice.direct(initial);
            try {
                if (data != null) ci.pInitialData(data);
                LongBuffer p = s.mallocLong(1);
                int r = vkCreatePipelineCache(dev.device, ci, null, p);
                if (r != VK_SUCCESS && data != null) {
                    // A cache from another driver version is rejected: start empty.
                    r = vkCreatePipelineCache(dev.device, VkPipelineCacheCreateInfo.calloc(s).sType$Default(), null, p);
                }
                check(r, "vkCreatePipelineCache");
                cache = p.get(0);
            } finally {
                if (data != null) MemoryUtil.memFree(data);
            }
        }
        VulkanDevice.LIVE_OBJECTS.incrementAndGet();
        if (initial != null) LOG.debug("pipeline cache loaded from {} ({} bytes)", cacheFile, initial.length);
    }

    /** The pipeline of {@code kernel}, created on first use; {@code forWhat} names the op and node for errors. */
    synchronized Pipeline get(Kernel kernel, String forWhat) {
        Pipeline p = pipelines.get(kernel.name());
        if (p != null) return p;
        byte[] spirv = ShaderCompiler.spirv(kernel.name(), kernel.source(), forWhat);
        long[] lay = layouts.computeIfAbsent(kernel.buffers(), this::createLayouts);
        try (MemoryStack s = stackPush()) {
            ByteBuffer code = VulkanDevice.direct(spirv);
            long module;
            try {
                LongBuffer pm = s.mallocLong(1);
                int r = vkCreateShaderModule(dev.device, VkShaderModuleCreateInfo.calloc(s).sType$Default().pCode(code), null, pm);
                if (r != VK_SUCCESS) throw new ShaderCompileException("kernel '" + kernel.name() + "' for " + forWhat + ": vkCreateShaderModule " + VkCheck.name(r));
                module = pm.get(0);
            } finally {
                MemoryUtil.memFree(code);
            }
            try {
                VkComputePipelineCreateInfo.Buffer ci = VkComputePipelineCreateInfo.calloc(1, s).sType$Default()
                        .stage(VkPipelineShaderStageCreateInfo.calloc(s).sType$Default().stage(VK_SHADER_STAGE_COMPUTE_BIT)
                                .module(module).pName(s.UTF8("main")))
                        .layout(lay[1]);
                if (dev.pipelineStatistics) ci.flags(KHRPipelineExecutableProperties.VK_PIPELINE_CREATE_CAPTURE_STATISTICS_BIT_KHR);
                LongBuffer pp = s.mallocLong(1);
                long t0 = System.nanoTime();
                int r = vkCreateComputePipelines(dev.device, cache, ci, null, pp);
                if (r != VK_SUCCESS) {
                    throw new ShaderCompileException("kernel '" + kernel.name() + "' for " + forWhat + ": vkCreateComputePipelines " + VkCheck.name(r));
                }
                LOG.debug("pipeline {} created in {} ms", kernel.name(), (System.nanoTime() - t0) / 1_000_000);
                VulkanDevice.LIVE_OBJECTS.incrementAndGet();
                p = new Pipeline(kernel.name(), pp.get(0), lay[1], lay[0], kernel.buffers());
                pipelines.put(kernel.name(), p);
                if (dev.pipelineStatistics) {
                    String stats = statistics(p.pipeline());
                    statistics.put(kernel.name(), stats);
                    LOG.info("kernel {}: {}", kernel.name(), stats);
                }
                return p;
            } finally {
                vkDestroyShaderModule(dev.device, module, null);
            }
        }
    }

    private long[] createLayouts(int buffers) {
        try (MemoryStack s = stackPush()) {
            VkDescriptorSetLayoutBinding.Buffer b = VkDescriptorSetLayoutBinding.calloc(buffers, s);
            for (int i = 0; i < buffers; i++) {
                b.get(i).binding(i).descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).descriptorCount(1).stageFlags(VK_SHADER_STAGE_COMPUTE_BIT);
            }
            LongBuffer p = s.mallocLong(1);
            check(vkCreateDescriptorSetLayout(dev.device, VkDescriptorSetLayoutCreateInfo.calloc(s).sType$Default().pBindings(b), null, p),
                    "vkCreateDescriptorSetLayout");
            long setLayout = p.get(0);
            VkPushConstantRange.Buffer pc = VkPushConstantRange.calloc(1, s).stageFlags(VK_SHADER_STAGE_COMPUTE_BIT).offset(0).size(PUSH_BYTES);
            check(vkCreatePipelineLayout(dev.device, VkPipelineLayoutCreateInfo.calloc(s).sType$Default()
                    .pSetLayouts(s.longs(setLayout)).pPushConstantRanges(pc), null, p), "vkCreatePipelineLayout");
            VulkanDevice.LIVE_OBJECTS.addAndGet(2);
            return new long[] {setLayout, p.get(0)};
        }
    }

    /**
     * The driver's statistics of {@code pipeline}'s executables, e.g. {@code "Register Count 168, ..."}: what
     * {@code vkGetPipelineExecutableStatisticsKHR} reports for each, by the driver's names.
     */
    private String statistics(long pipeline) {
        try (MemoryStack s = stackPush()) {
            java.nio.IntBuffer n = s.ints(0);
            VkPipelineInfoKHR info = VkPipelineInfoKHR.calloc(s).sType$Default().pipeline(pipeline);
            if (KHRPipelineExecutableProperties.vkGetPipelineExecutablePropertiesKHR(dev.device, info, n, null) != VK_SUCCESS) return "not reported";
            StringBuilder out = new StringBuilder();
            for (int e = 0; e < n.get(0); e++) {
                VkPipelineExecutableInfoKHR ei = VkPipelineExecutableInfoKHR.calloc(s).sType$Default().pipeline(pipeline).executableIndex(e);
                java.nio.IntBuffer m = s.ints(0);
                if (KHRPipelineExecutableProperties.vkGetPipelineExecutableStatisticsKHR(dev.device, ei, m, null) != VK_SUCCESS) continue;
                VkPipelineExecutableStatisticKHR.Buffer st = VkPipelineExecutableStatisticKHR.calloc(m.get(0), s);
                for (int i = 0; i < st.capacity(); i++) st.get(i).sType$Default();
                if (KHRPipelineExecutableProperties.vkGetPipelineExecutableStatisticsKHR(dev.device, ei, m, st) != VK_SUCCESS) continue;
                for (int i = 0; i < m.get(0); i++) {
                    VkPipelineExecutableStatisticKHR x = st.get(i);
                    String v = switch (x.format()) {
                        case KHRPipelineExecutableProperties.VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_BOOL32_KHR -> String.valueOf(x.value().b32());
                        case KHRPipelineExecutableProperties.VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_INT64_KHR -> String.valueOf(x.value().i64());
                        case KHRPipelineExecutableProperties.VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_UINT64_KHR -> Long.toUnsignedString(x.value().u64());
                        case KHRPipelineExecutableProperties.VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_FLOAT64_KHR -> String.valueOf(x.value().f64());
                        default -> "?";
                    };
                    if (out.length() > 0) out.append(", ");
                    out.append(x.nameString()).append(' ').append(v);
                }
            }
            return out.length() == 0 ? "not reported" : out.toString();
        }
    }

    /** The driver's statistics of every kernel compiled so far, by kernel name (empty unless the device captures them). */
    synchronized Map<String, String> statistics() {
        return Map.copyOf(statistics);
    }

    /** Names of the kernels whose pipelines exist (tests check which kernel a plan chose). */
    synchronized java.util.Set<String> names() {
        return java.util.Set.copyOf(pipelines.keySet());
    }

    /** Number of pipelines created so far. */
    synchronized int size() {
        return pipelines.size();
    }

    /** Saves the pipeline cache to disk and destroys every pipeline and layout. */
    @Override
    public synchronized void close() {
        save();
        for (Pipeline p : pipelines.values()) vkDestroyPipeline(dev.device, p.pipeline(), null);
        VulkanDevice.LIVE_OBJECTS.addAndGet(-pipelines.size());
        pipelines.clear();
        for (long[] l : layouts.values()) {
            vkDestroyPipelineLayout(dev.device, l[1], null);
            vkDestroyDescriptorSetLayout(dev.device, l[0], null);
        }
        VulkanDevice.LIVE_OBJECTS.addAndGet(-2 * layouts.size());
        layouts.clear();
        vkDestroyPipelineCache(dev.device, cache, null);
        VulkanDevice.LIVE_OBJECTS.decrementAndGet();
    }

    private void save() {
        if (pipelines.isEmpty()) return;
        try (MemoryStack s = stackPush()) {
            PointerBuffer n = s.mallocPointer(1);
            if (vkGetPipelineCacheData(dev.device, cache, n, null) != VK_SUCCESS || n.get(0) == 0) return;
            ByteBuffer data = MemoryUtil.memAlloc((int) n.get(0));
            try {
                if (vkGetPipelineCacheData(dev.device, cache, n, data) != VK_SUCCESS) return;
                byte[] bytes = new byte[(int) n.get(0)];
                data.get(0, bytes);
                ShaderCompiler.writeAtomically(cacheFile, bytes);
                LOG.debug("pipeline cache saved to {} ({} bytes)", cacheFile, bytes.length);
            } finally {
                MemoryUtil.memFree(data);
            }
        }
    }
}
