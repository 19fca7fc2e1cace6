package dev.jasg.gpu;

import static dev.jasg.gpu.VkCheck.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTDebugUtils.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.*;

import dev.jasg.core.BackendUnavailableException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.*;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One opened Vulkan device for headless compute: the instance, the chosen physical device
 * ({@link DeviceChoice}), a logical device with one compute queue, a command pool, and one
 * reusable command buffer, fence and staging buffer for host transfers (parameter get/set,
 * lazy output read-back). Everything it creates it destroys in {@link #close()}; the
 * instance is shared by the process (see {@link #instance()}).
 */
final class VulkanDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VulkanDevice.class);
    /** System property that turns the Khronos validation layer on. */
    static final String VALIDATION_PROPERTY = "jasg.vulkan.validation";
    /** Vulkan objects created by this module and not yet destroyed, over all devices; leak tests read it. */
    static final AtomicInteger LIVE_OBJECTS = new AtomicInteger();
    private static final long MAX_STAGING = 64L << 20;
    private static Throwable loaderFailure;
    private static boolean loaderReady;
    private static VkInstance sharedInstance;
    /** The API version the shared instance asked for: 1.3 where the loader has it (SPIR-V 1.6 kernels need it), else 1.2. */
    private static int instanceApiVersion = VK12.VK_API_VERSION_1_2;

    final VkInstance instance;
    final VkPhysicalDevice physical;
    final VkDevice device;
    final VkQueue queue;
    final int queueFamily;
    final long commandPool;
    final String name;
    final int vendorId, deviceId;
    final byte[] pipelineCacheUuid = new byte[VK_UUID_SIZE];
    final int subgroupSize;
    /** True when compute shaders may use subgroup shuffles (basic and shuffle operations in the compute stage). */
    final boolean subgroupShuffle;
    final long maxStorageBufferRange;
    /** Storage buffers one compute shader may bind (maxPerStageDescriptorStorageBuffers). */
    final int maxStorageBuffers;
    final int maxSharedMemory;
    final long storageAlignment;
    final int maxInvocations;
    final int[] maxGroupCount = new int[3];
    final float timestampPeriod;
    /**
     * Compute units (NVIDIA SMs, AMD CUs) as the driver reports them ({@code VK_NV_shader_sm_builtins},
     * {@code VK_AMD_shader_core_properties}), or {@code -Djasg.vulkan.computeUnits=N}; 0 when unknown. The matrix
     * product's schedule counts waves of workgroups with it ({@link MatMulKernel#schedule}).
     */
    final int computeUnits;
    final boolean timestamps;
    /** The device's cooperative-matrix support, enabled at creation ({@link CoopMatrix#NONE} without). */
    final CoopMatrix coopMatrix;
    /**
     * Whether pipelines are created with the driver's statistics captured ({@code VK_KHR_pipeline_executable_properties}):
     * asked for by {@value #STATISTICS_PROPERTY}{@code =true} and offered by the device.
     */
    final boolean pipelineStatistics;
    /** System property asking for each kernel's compiled statistics ({@link VulkanBackend#kernelStatistics}). */
    static final String STATISTICS_PROPERTY = "jasg.vulkan.kernelStatistics";
    private final VkPhysicalDeviceMemoryProperties memory = VkPhysicalDeviceMemoryProperties.malloc();
    private final VkCommandBuffer transferCommands;
    private final long transferFence;
    private DeviceBuffer staging;
    private boolean closed;

    private VulkanDevice(VkInstance instance) {
        this.instance = instance;
        // its own stack: the feature and property chains (cooperative matrices included) would leave LWJGL's
        // thread-local stack (64 KiB by default) too little for VkDevice's own capability queries
        try (MemoryStack s = MemoryStack.create(512 * 1024).push()) {
            IntBuffer n = s.ints(0);
            check(vkEnumeratePhysicalDevices(instance, n, null), "vkEnumeratePhysicalDevices");
            PointerBuffer ps = s.mallocPointer(n.get(0));
            check(vkEnumeratePhysicalDevices(instance, n, ps), "vkEnumeratePhysicalDevices");
            List<DeviceChoice.Candidate> cs = new ArrayList<>();
            VkPhysicalDeviceProperties p = VkPhysicalDeviceProperties.malloc(s);
            for (int i = 0; i < ps.capacity(); i++) {
                vkGetPhysicalDeviceProperties(new VkPhysicalDevice(ps.get(i), instance), p);
                cs.add(new DeviceChoice.Candidate(p.deviceNameString(), p.deviceType()));
            }
            int chosen = DeviceChoice.choose(cs, System.getProperty(DeviceChoice.PROPERTY));
            physical = new VkPhysicalDevice(ps.get(chosen), instance);

            VkPhysicalDeviceSubgroupProperties sub = VkPhysicalDeviceSubgroupProperties.calloc(s).sType$Default();
            VkPhysicalDeviceProperties2 p2 = VkPhysicalDeviceProperties2.calloc(s).sType$Default().pNext(sub.address());
            vkGetPhysicalDeviceProperties2(physical, p2);
            VkPhysicalDeviceProperties props = p2.properties();
            VkPhysicalDeviceLimits lim = props.limits();
            name = props.deviceNameString();
            vendorId = props.vendorID();
            deviceId = props.deviceID();
            props.pipelineCacheUUID().get(pipelineCacheUuid);
            subgroupSize = sub.subgroupSize();
            int needed = VK11.VK_SUBGROUP_FEATURE_BASIC_BIT | VK11.VK_SUBGROUP_FEATURE_SHUFFLE_BIT;
            subgroupShuffle = (sub.supportedOperations() & needed) == needed && (sub.supportedStages() & VK_SHADER_STAGE_COMPUTE_BIT) != 0
                    && Integer.bitCount(subgroupSize) == 1 && subgroupSize <= 256 && !Boolean.getBoolean("jasg.vulkan.noSubgroups");
            maxStorageBufferRange = Integer.toUnsignedLong(lim.maxStorageBufferRange());
            maxSharedMemory = lim.maxComputeSharedMemorySize();
            // unsigned limits (NVIDIA reports 2^32 - 1 for some): one resource is left for nothing else here
            maxStorageBuffers = (int) Math.min(1 << 16, Math.min(Integer.toUnsignedLong(lim.maxPerStageDescriptorStorageBuffers()),
                    Integer.toUnsignedLong(lim.maxPerStageResources())));
            storageAlignment = Math.max(256, lim.minStorageBufferOffsetAlignment());
            maxInvocations = lim.maxComputeWorkGroupInvocations();
            for (int i = 0; i < 3; i++) maxGroupCount[i] = lim.maxComputeWorkGroupCount(i);
            timestampPeriod = lim.timestampPeriod();
            java.util.Set<String> extensions = CoopMatrix.extensions(physical, s);
            computeUnits = computeUnits(physical, extensions, s);
            vkGetPhysicalDeviceMemoryProperties(physical, memory);

            IntBuffer qn = s.ints(0);
            vkGetPhysicalDeviceQueueFamilyProperties(physical, qn, null);
            VkQueueFamilyProperties.Buffer qs = VkQueueFamilyProperties.malloc(qn.get(0), s);
            vkGetPhysicalDeviceQueueFamilyProperties(physical, qn, qs);
            int family = -1;
            for (int i = 0; i < qs.capacity() && family < 0; i++) {
                if ((qs.get(i).queueFlags() & VK_QUEUE_COMPUTE_BIT) != 0) family = i;
            }
            if (family < 0) throw new BackendUnavailableException("Vulkan device '" + name + "' has no compute queue");
            queueFamily = family;
            timestamps = qs.get(family).timestampValidBits() > 0 && lim.timestampComputeAndGraphics();

            VkDeviceQueueCreateInfo.Buffer qci = VkDeviceQueueCreateInfo.calloc(1, s).sType$Default()
                    .queueFamilyIndex(family).pQueuePriorities(s.floats(1f));
            // the version the device runs at: the lower of what it reports and what the instance asked for
            int api = Integer.compareUnsigned(props.apiVersion(), instanceApiVersion) < 0 ? props.apiVersion() : instanceApiVersion;
            CoopMatrix coop = CoopMatrix.query(physical, api, extensions, s);
            boolean stats = Boolean.getBoolean(STATISTICS_PROPERTY)
                    && extensions.contains(KHRPipelineExecutableProperties.VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME);
            VkDeviceCreateInfo dci = createInfo(qci, coop, stats, s);
            PointerBuffer pd = s.mallocPointer(1);
            int r = vkCreateDevice(physical, dci, null, pd);
            if (r != VK_SUCCESS && coop.workgroup() != null) {
                LOG.warn("Vulkan device '{}' refused the workgroup-scope cooperative-matrix features ({}); using the subgroup-scope kernels", name,
                        VkCheck.name(r));
                coop = coop.withoutWorkgroup();
                dci = createInfo(qci, coop, stats, s);
                r = vkCreateDevice(physical, dci, null, pd);
            }
            if (r != VK_SUCCESS && coop != CoopMatrix.NONE) {
                // the driver listed the extension and features but refused them: run without the tensor-core kernels
                LOG.warn("Vulkan device '{}' refused the cooperative-matrix features ({}); using the plain kernels", name, VkCheck.name(r));
                coop = CoopMatrix.NONE;
                dci = createInfo(qci, coop, stats, s);
                r = vkCreateDevice(physical, dci, null, pd);
            }
            if (r != VK_SUCCESS) throw new BackendUnavailableException("cannot open Vulkan device '" + name + "': " + VkCheck.name(r));
            coopMatrix = coop;
            pipelineStatistics = stats;
            device = new VkDevice(pd.get(0), physical, dci);
            vkGetDeviceQueue(device, family, 0, pd);
            queue = new VkQueue(pd.get(0), device);
            NvidiaExit.installFor(vendorId);

            LongBuffer pl = s.mallocLong(1);
            check(vkCreateCommandPool(device, VkCommandPoolCreateInfo.calloc(s).sType$Default()
                    .flags(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT).queueFamilyIndex(family), null, pl), "vkCreateCommandPool");
            commandPool = pl.get(0);
            transferCommands = allocateCommandBuffer();
            transferFence = createFence();
            LOG.info("Vulkan device: {} ({}), {} compute units, subgroup size {} (shuffles {}), shared memory {} KiB, storage buffer range {} MiB, timestamps {},"
                    + " cooperative matrices {} (f16 kernel {}, bf16 kernel {})", name, DeviceChoice.typeName(props.deviceType()), computeUnits, subgroupSize,
                    subgroupShuffle, maxSharedMemory / 1024, maxStorageBufferRange >> 20, timestamps, coopMatrix.summary(), coopMatrix.f16(), coopMatrix.bf16());
        }
    }

    /** System property: the compute units to assume ({@link #computeUnits}; 0 as if unknown), to compare schedules. */
    static final String COMPUTE_UNITS_PROPERTY = "jasg.vulkan.computeUnits";

    /** See {@link #computeUnits}. */
    private static int computeUnits(VkPhysicalDevice physical, java.util.Set<String> ext, MemoryStack s) {
        Integer forced = Integer.getInteger(COMPUTE_UNITS_PROPERTY);
        if (forced != null) return Math.max(0, forced);
        if (ext.contains(NVShaderSmBuiltins.VK_NV_SHADER_SM_BUILTINS_EXTENSION_NAME)) {
            VkPhysicalDeviceShaderSMBuiltinsPropertiesNV sm = VkPhysicalDeviceShaderSMBuiltinsPropertiesNV.calloc(s).sType$Default();
            vkGetPhysicalDeviceProperties2(physical, VkPhysicalDeviceProperties2.calloc(s).sType$Default().pNext(sm.address()));
            return Math.max(0, sm.shaderSMCount());
        }
        if (ext.contains(AMDShaderCoreProperties.VK_AMD_SHADER_CORE_PROPERTIES_EXTENSION_NAME)) {
            VkPhysicalDeviceShaderCorePropertiesAMD c = VkPhysicalDeviceShaderCorePropertiesAMD.calloc(s).sType$Default();
            vkGetPhysicalDeviceProperties2(physical, VkPhysicalDeviceProperties2.calloc(s).sType$Default().pNext(c.address()));
            return Math.max(0, c.shaderEngineCount() * c.shaderArraysPerEngineCount() * c.computeUnitsPerShaderArray());
        }
        return 0;
    }

    /** Opens the preferred device; throws {@link BackendUnavailableException} saying what to install when Vulkan cannot start. */
    static VulkanDevice open() {
        return new VulkanDevice(instance());
    }

    /**
     * The process-wide instance, created on first use and never destroyed. Destroying the
     * last instance makes the loader unload the driver, and NVIDIA's driver cannot be loaded
     * again many times in one process ("cannot allocate memory in static TLS block"), so a
     * backend owns its device and everything below it, but not the instance.
     */
    private static synchronized VkInstance instance() {
        loadLoader();
        if (sharedInstance != null) return sharedInstance;
        boolean validation = Boolean.getBoolean(VALIDATION_PROPERTY);
        try (MemoryStack s = stackPush()) {
            instanceApiVersion = Integer.compareUnsigned(VK.getInstanceVersionSupported(), VK13.VK_API_VERSION_1_3) >= 0
                    ? VK13.VK_API_VERSION_1_3 : VK12.VK_API_VERSION_1_2;
            VkApplicationInfo app = VkApplicationInfo.calloc(s).sType$Default()
                    .pApplicationName(s.UTF8("jasg")).pEngineName(s.UTF8("jasg")).apiVersion(instanceApiVersion);
            VkInstanceCreateInfo ici = VkInstanceCreateInfo.calloc(s).sType$Default().pApplicationInfo(app);
            boolean layer = validation && hasValidationLayer();
            if (validation && !layer) {
                LOG.warn("{}=true but VK_LAYER_KHRONOS_validation is not installed (apt-get install vulkan-validationlayers); running without it",
                        VALIDATION_PROPERTY);
            }
            if (layer) {
                LOG.info("Vulkan validation layer on ({}=true)", VALIDATION_PROPERTY);
                ici.ppEnabledLayerNames(s.pointers(s.UTF8("VK_LAYER_KHRONOS_validation")));
                ici.ppEnabledExtensionNames(s.pointers(s.UTF8(VK_EXT_DEBUG_UTILS_EXTENSION_NAME)));
            }
            PointerBuffer pi = s.mallocPointer(1);
            int r = vkCreateInstance(ici, null, pi);
            if (r == VK_ERROR_INCOMPATIBLE_DRIVER || r == VK_ERROR_INITIALIZATION_FAILED) {
                throw new BackendUnavailableException("no Vulkan driver found (" + VkCheck.name(r) + "). Install the GPU vendor's driver,"
                        + " or Mesa's CPU implementation: apt-get install libvulkan1 mesa-vulkan-drivers");
            }
            check(r, "vkCreateInstance");
            VkInstance instance = new VkInstance(pi.get(0), ici);
            if (layer) {
                // Lives as long as the instance, that is, the process.
                VkDebugUtilsMessengerCallbackEXT callback = VkDebugUtilsMessengerCallbackEXT.create((severity, types, data, user) -> {
                    String m = VkDebugUtilsMessengerCallbackDataEXT.create(data).pMessageString();
                    if ((severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) != 0) LOG.error("validation: {}", m);
                    else LOG.warn("validation: {}", m);
                    return VK_FALSE;
                });
                LongBuffer pm = s.mallocLong(1);
                check(vkCreateDebugUtilsMessengerEXT(instance, VkDebugUtilsMessengerCreateInfoEXT.calloc(s).sType$Default()
                        .messageSeverity(VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
                        .messageType(VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT
                                | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT)
                        .pfnUserCallback(callback), null, pm), "vkCreateDebugUtilsMessengerEXT");
            }
            sharedInstance = instance;

            return instance;
        }
    }

    private static synchronized void loadLoader() {
        if (loaderReady) return;
        if (loaderFailure == null) {
            try {
                Configuration.VULKAN_EXPLICIT_INIT.set(true);
                VK.create();
                loaderReady = true;
                return;
            } catch (Throwable t) {
                loaderFailure = t;
            }
        }
        throw new BackendUnavailableException("the Vulkan loader (libvulkan.so.1) could not be loaded: " + loaderFailure
                + ". Install it with `apt-get install libvulkan1` plus a driver (the GPU vendor's, or mesa-vulkan-drivers for a CPU device)",
                loaderFailure);
    }

    private static boolean hasValidationLayer() {
        try (MemoryStack s = stackPush()) {
            IntBuffer n = s.ints(0);
            vkEnumerateInstanceLayerProperties(n, null);
            VkLayerProperties.Buffer ls = VkLayerProperties.malloc(n.get(0), s);
            vkEnumerateInstanceLayerProperties(n, ls);
            for (VkLayerProperties l : ls) if (l.layerNameString().equals("VK_LAYER_KHRONOS_validation")) return true;
            return false;
        }
    }

    /** Index of a memory type allowed by {@code typeBits} with all {@code required} flags, preferring one with {@code preferred} too. */
    int memoryType(int typeBits, int required, int preferred) {
        int fallback = -1;
        for (int i = 0; i < memory.memoryTypeCount(); i++) {
            if ((typeBits & (1 << i)) == 0) continue;
            int f = memory.memoryTypes(i).propertyFlags();
            if ((f & required) != required) continue;
            if ((f & preferred) == preferred) return i;
            if (fallback < 0) fallback = i;
        }
        if (fallback < 0) throw new DeviceMemoryException("device '" + name + "' has no memory type with flags 0x" + Integer.toHexString(required));
        return fallback;
    }

    /** A primary command buffer from the pool; freed with the pool. */
    VkCommandBuffer allocateCommandBuffer() {
        try (MemoryStack s = stackPush()) {
            PointerBuffer p = s.mallocPointer(1);
            check(vkAllocateCommandBuffers(device, VkCommandBufferAllocateInfo.calloc(s).sType$Default().commandPool(commandPool)
                    .level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), p), "vkAllocateCommandBuffers");
            return new VkCommandBuffer(p.get(0), device);
        }
    }

    void freeCommandBuffer(VkCommandBuffer cb) {
        vkFreeCommandBuffers(device, commandPool, cb);
    }

    long createFence() {
        try (MemoryStack s = stackPush()) {
            LongBuffer p = s.mallocLong(1);
            check(vkCreateFence(device, VkFenceCreateInfo.calloc(s).sType$Default(), null, p), "vkCreateFence");
            LIVE_OBJECTS.incrementAndGet();
            return p.get(0);
        }
    }

    void destroyFence(long fence) {
        vkDestroyFence(device, fence, null);
        LIVE_OBJECTS.decrementAndGet();
    }

    /** Submits {@code cb}, waits on {@code fence} and resets it; {@code what} names the work for errors. */
    void submitAndWait(VkCommandBuffer cb, long fence, String what) {
        submitAndWait(cb, fence, "", what);
    }

    /**
     * {@link #submitAndWait(VkCommandBuffer, long, String)}, the work named {@code verb + what} in errors: the name is made
     * only when there is an error (a run's submissions and reads made a string each before).
     */
    private void submitAndWait(VkCommandBuffer cb, long fence, String verb, String what) {
        try (MemoryStack s = stackPush()) {
            VkSubmitInfo si = VkSubmitInfo.calloc(s).sType$Default().pCommandBuffers(s.pointers(cb));
            int r = vkQueueSubmit(queue, si, fence);
            if (r < 0) check(r, "vkQueueSubmit (" + verb + what + ")");
            r = vkWaitForFences(device, fence, true, -1L);
            if (r < 0) check(r, "vkWaitForFences (" + verb + what + ")");
            check(vkResetFences(device, fence), "vkResetFences");
        }
    }

    /** Records {@code body} into the transfer command buffer, submits it and waits. */
    private void transfer(String verb, String what, Consumer<VkCommandBuffer> body) {
        try (MemoryStack s = stackPush()) {
            check(vkResetCommandBuffer(transferCommands, 0), "vkResetCommandBuffer");
            check(vkBeginCommandBuffer(transferCommands, VkCommandBufferBeginInfo.calloc(s).sType$Default()
                    .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT)), "vkBeginCommandBuffer");
            body.accept(transferCommands);
            check(vkEndCommandBuffer(transferCommands), "vkEndCommandBuffer");
        }
        submitAndWait(transferCommands, transferFence, verb, what);
    }

    private DeviceBuffer staging(long bytes) {
        long want = Math.min(MAX_STAGING, Math.max(bytes, 1 << 20));
        if (staging == null || staging.size < want) {
            if (staging != null) staging.close();
            staging = null;
            staging = DeviceBuffer.host(this, want, "transfer staging buffer");
        }
        return staging;
    }

    /** Copies {@code data} into {@code dst} at byte offset {@code offset}, through the staging buffer in chunks. */
    void upload(float[] data, DeviceBuffer dst, long offset, String what) {
        long total = 4L * data.length;
        for (long done = 0; done < total; ) {
            DeviceBuffer st = staging(total - done);
            long chunk = Math.min(st.size, total - done);
            FloatBuffer fb = st.mapped.clear().limit((int) chunk).asFloatBuffer();
            fb.put(data, (int) (done / 4), (int) (chunk / 4));
            long at = done;
            transfer("upload of ", what, cb -> copy(cb, st.buffer, 0, dst.buffer, offset + at, chunk));
            done += chunk;
        }
    }

    /** Reads {@code count} floats of {@code src} from byte offset {@code offset}, through the staging buffer in chunks. */
    float[] download(DeviceBuffer src, long offset, int count, String what) {
        return download(src, offset, count, what, new float[count]);
    }

    /** {@link #download} into the first {@code count} elements of {@code out}. */
    float[] download(DeviceBuffer src, long offset, int count, String what, float[] out) {
        long total = 4L * count;
        for (long done = 0; done < total; ) {
            DeviceBuffer st = staging(total - done);
            long chunk = Math.min(st.size, total - done);
            long at = done;
            transfer("read-back of ", what, cb -> {
                copy(cb, src.buffer, offset + at, st.buffer, 0, chunk);
                try (MemoryStack s = stackPush()) {
                    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
                            VkMemoryBarrier.calloc(1, s).sType$Default().srcAccessMask(VK_ACCESS_TRANSFER_WRITE_BIT)
                                    .dstAccessMask(VK_ACCESS_HOST_READ_BIT), null, null);
                }
            });
            st.mapped.clear().limit((int) chunk).asFloatBuffer().get(out, (int) (done / 4), (int) (chunk / 4));
            done += chunk;
        }
        return out;
    }

    static void copy(VkCommandBuffer cb, long src, long srcOffset, long dst, long dstOffset, long bytes) {
        try (MemoryStack s = stackPush()) {
            vkCmdCopyBuffer(cb, src, dst, VkBufferCopy.calloc(1, s).srcOffset(srcOffset).dstOffset(dstOffset).size(bytes));
        }
    }

    /** Blocks until the queue is idle, so objects in use can be destroyed. */
    void idle() {
        vkQueueWaitIdle(queue);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        vkDeviceWaitIdle(device);
        if (staging != null) staging.close();
        destroyFence(transferFence);
        vkDestroyCommandPool(device, commandPool, null);
        vkDestroyDevice(device, null);
        memory.free();
    }

    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = MemoryUtil.memAlloc(bytes.length);
        b.put(bytes).flip();
        return b;
    }

    /** The device's create info: one queue, what {@code coop} needs enabled, and with {@code stats} the kernels' statistics. */
    private static VkDeviceCreateInfo createInfo(VkDeviceQueueCreateInfo.Buffer qci, CoopMatrix coop, boolean stats, MemoryStack s) {
        VkDeviceCreateInfo dci = VkDeviceCreateInfo.calloc(s).sType$Default().pQueueCreateInfos(qci);
        coop.enable(dci, s);
        if (stats) withStatistics(dci, s);
        return dci;
    }

    /** Adds {@code VK_KHR_pipeline_executable_properties} and its feature to {@code dci}, beside what is already enabled. */
    private static void withStatistics(VkDeviceCreateInfo dci, MemoryStack s) {
        PointerBuffer old = dci.ppEnabledExtensionNames();
        int n = old == null ? 0 : dci.enabledExtensionCount();
        PointerBuffer names = s.mallocPointer(n + 1);
        for (int i = 0; i < n; i++) names.put(old.get(i));
        names.put(s.UTF8(KHRPipelineExecutableProperties.VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME));
        dci.ppEnabledExtensionNames(names.flip());
        dci.pNext(VkPhysicalDevicePipelineExecutablePropertiesFeaturesKHR.calloc(s).sType$Default().pipelineExecutableInfo(true)
                .pNext(dci.pNext()).address());
    }
}
