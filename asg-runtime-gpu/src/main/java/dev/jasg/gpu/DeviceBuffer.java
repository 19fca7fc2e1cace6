package dev.jasg.gpu;

import static dev.jasg.gpu.VkCheck.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkBufferCreateInfo;
import org.lwjgl.vulkan.VkMemoryAllocateInfo;
import org.lwjgl.vulkan.VkMemoryRequirements;

/**
 * A Vulkan buffer with its own memory allocation: device-local for tensors, or
 * host-visible and persistently mapped for staging. Backends place many tensors in one
 * buffer as sub-ranges, so there are few of these.
 */
final class DeviceBuffer implements AutoCloseable {
    private final VulkanDevice dev;
    final long buffer;
    final long memory;
    final long size;
    /** The mapping of host-visible buffers (native byte order), else null. */
    final ByteBuffer mapped;
    private boolean closed;

    private DeviceBuffer(VulkanDevice dev, long size, boolean host, String what) {
        this.dev = dev;
        this.size = size;
        try (MemoryStack s = stackPush()) {
            LongBuffer p = s.mallocLong(1);
            check(vkCreateBuffer(dev.device, VkBufferCreateInfo.calloc(s).sType$Default().size(size)
                    .usage(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE), null, p), "vkCreateBuffer for " + what + " (" + size + " bytes)");
            buffer = p.get(0);
            VkMemoryRequirements req = VkMemoryRequirements.malloc(s);
            vkGetBufferMemoryRequirements(dev.device, buffer, req);
            int type;
            try {
                type = host ? dev.memoryType(req.memoryTypeBits(), VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                        VK_MEMORY_PROPERTY_HOST_CACHED_BIT)
                        : dev.memoryType(req.memoryTypeBits(), VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0);
            } catch (RuntimeException e) {
                vkDestroyBuffer(dev.device, buffer, null);
                throw e;
            }
            int r = vkAllocateMemory(dev.device, VkMemoryAllocateInfo.calloc(s).sType$Default().allocationSize(req.size())
                    .memoryTypeIndex(type), null, p);
            if (r != VK_SUCCESS) {
                vkDestroyBuffer(dev.device, buffer, null);
                throw new DeviceMemoryException("cannot allocate " + mib(req.size()) + " of " + (host ? "host-visible" : "device")
                        + " memory for " + what + " on '" + dev.name + "': " + VkCheck.name(r));
            }
            memory = p.get(0);
            check(vkBindBufferMemory(dev.device, buffer, memory, 0), "vkBindBufferMemory");
            if (host) {
                PointerBuffer pp = s.mallocPointer(1);
                check(vkMapMemory(dev.device, memory, 0, size, 0, pp), "vkMapMemory for " + what);
                mapped = pp.getByteBuffer(0, (int) Math.min(size, Integer.MAX_VALUE)).order(ByteOrder.nativeOrder());
            } else {
                mapped = null;
            }
        }
        VulkanDevice.LIVE_OBJECTS.incrementAndGet();
    }

    /** A device-local buffer of {@code size} bytes; {@code what} names it in errors. */
    static DeviceBuffer device(VulkanDevice dev, long size, String what) {
        return new DeviceBuffer(dev, size, false, what);
    }

    /** A host-visible, coherent, mapped buffer of {@code size} bytes. */
    static DeviceBuffer host(VulkanDevice dev, long size, String what) {
        return new DeviceBuffer(dev, size, true, what);
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (mapped != null) vkUnmapMemory(dev.device, memory);
        vkDestroyBuffer(dev.device, buffer, null);
        vkFreeMemory(dev.device, memory, null);
        VulkanDevice.LIVE_OBJECTS.decrementAndGet();
    }
}
