package dev.jasg.opencl;

import static org.jocl.CL.*;

import dev.jasg.core.BackendException;
import dev.jasg.core.BackendUnavailableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenCL device with its context and one in-order command queue, on which every command of the backend is
 * enqueued. Also the one place that creates and releases memory objects: it makes plain buffers only (no
 * sub-buffers: tensors are bound to kernels as a buffer and an offset), keeps the handles it made and not yet
 * released, and refuses to release a handle twice or one it did not make (an {@link IllegalStateException}
 * instead of a crash in the driver). It counts every live OpenCL object ({@link #LIVE_OBJECTS}) and every memory
 * object created and released ({@link #MEMORY_CREATED}, {@link #MEMORY_RELEASED}) so tests can see that closing
 * frees everything exactly once. Not thread-safe except for the handle bookkeeping: the backend serialises its use.
 */
final class ClDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClDevice.class);
    /** OpenCL objects (memory, kernels, programs, queues, contexts) alive in this JVM; tests check it returns to its start. */
    static final AtomicInteger LIVE_OBJECTS = new AtomicInteger();
    /** Memory objects ({@code clCreateBuffer}) created in this JVM; with {@link #MEMORY_RELEASED}, what tests count leaks and double releases by. */
    static final AtomicLong MEMORY_CREATED = new AtomicLong();
    /** Memory objects released ({@code clReleaseMemObject}) in this JVM. */
    static final AtomicLong MEMORY_RELEASED = new AtomicLong();
    /** Memory objects a device released at its close because their owners had not (leaks; counted in {@link #MEMORY_RELEASED} too). */
    static final AtomicLong MEMORY_LEFT_AT_CLOSE = new AtomicLong();
    /** What to install when the ICD loader itself is missing. */
    static final String LOADER_HINT = "JOCL needs the OpenCL ICD loader as the unversioned libOpenCL.so, which Debian and Ubuntu ship in "
            + "ocl-icd-opencl-dev (ocl-icd-libopencl1 has only libOpenCL.so.1): apt-get install ocl-icd-opencl-dev ocl-icd-libopencl1, "
            + "plus a driver (the GPU vendor's, or pocl-opencl-icd on the CPU)";

    final cl_platform_id platform;
    final cl_device_id device;
    final cl_context context;
    final cl_command_queue queue;
    final String name;
    final String platformName;
    final String driverVersion;
    final String deviceVersion;
    final long type;
    /**
     * Where a plan's tensors start in its arena, in bytes: CL_DEVICE_MEM_BASE_ADDR_ALIGN (in bits, hence / 8), so every
     * tensor is as aligned as a buffer of its own would be (whole cache lines, coalesced access), and at least 16 for
     * the matrix product's float4 loads and stores.
     */
    final long alignment;
    final long maxAlloc;
    final long globalMemory;
    final long localMemory;
    final long maxWorkGroup;
    /** The memory objects made here and not yet released, by native handle. */
    private final Map<Long, cl_mem> liveMemory = new HashMap<>();
    private boolean closed;

    private ClDevice(cl_platform_id platform, cl_device_id device, String name, String platformName, long type) {
        this.platform = platform;
        this.device = device;
        this.name = name;
        this.platformName = platformName;
        this.type = type;
        this.driverVersion = string(device, CL_DRIVER_VERSION);
        this.deviceVersion = string(device, CL_DEVICE_VERSION);
        this.alignment = Math.max(16, number(device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, Sizeof.cl_uint) / 8);
        this.maxAlloc = number(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, Sizeof.cl_ulong);
        this.globalMemory = number(device, CL_DEVICE_GLOBAL_MEM_SIZE, Sizeof.cl_ulong);
        this.localMemory = number(device, CL_DEVICE_LOCAL_MEM_SIZE, Sizeof.cl_ulong);
        this.maxWorkGroup = number(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, Sizeof.size_t);
        if (maxWorkGroup < 256) {
            throw new BackendUnavailableException("OpenCL device '" + name + "' runs at most " + maxWorkGroup
                    + " work-items per work-group; the kernels need 256");
        }
        try {
            context = clCreateContext(null, 1, new cl_device_id[] {device}, null, null, null);
        } catch (CLException e) {
            throw new BackendUnavailableException("cannot create an OpenCL context on '" + name + "': " + e.getMessage(), e);
        }
        LIVE_OBJECTS.incrementAndGet();
        try {
            queue = createQueue(context, device);
        } catch (CLException e) {
            clReleaseContext(context);
            LIVE_OBJECTS.decrementAndGet();
            throw new BackendUnavailableException("cannot create an OpenCL command queue on '" + name + "': " + e.getMessage(), e);
        }
        LIVE_OBJECTS.incrementAndGet();
    }

    @SuppressWarnings("deprecation")
    private static cl_command_queue createQueue(cl_context context, cl_device_id device) {
        // in order: every command sees the results of those enqueued before it, so a step needs no events
        return clCreateCommandQueue(context, device, 0, null);
    }

    /** Opens the chosen device (see {@link DeviceChoice}); throws {@link BackendUnavailableException} saying what to install. */
    static ClDevice open() {
        List<cl_platform_id> platforms = new ArrayList<>();
        List<cl_device_id> ids = new ArrayList<>();
        List<DeviceChoice.Candidate> candidates = new ArrayList<>();
        try {
            CL.setExceptionsEnabled(true);
            int[] n = new int[1];
            int r;
            try {
                r = clGetPlatformIDs(0, null, n);
            } catch (CLException e) {
                r = e.getStatus();
            }
            if (r != CL_SUCCESS || n[0] == 0) {
                throw new BackendUnavailableException("the OpenCL ICD loader found no platform (" + CL.stringFor_errorCode(r) + "). Install an OpenCL "
                        + "driver: the GPU vendor's, or pocl on the CPU with `apt-get install pocl-opencl-icd ocl-icd-opencl-dev`");
            }
            cl_platform_id[] ps = new cl_platform_id[n[0]];
            clGetPlatformIDs(ps.length, ps, null);
            for (cl_platform_id p : ps) {
                String pname = platformString(p, CL_PLATFORM_NAME);
                int[] nd = new int[1];
                try {
                    clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, nd);
                } catch (CLException e) {
                    LOG.debug("OpenCL platform {} lists no device: {}", pname, e.getMessage());
                    continue;
                }
                cl_device_id[] ds = new cl_device_id[nd[0]];
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ds.length, ds, null);
                for (cl_device_id d : ds) {
                    platforms.add(p);
                    ids.add(d);
                    candidates.add(new DeviceChoice.Candidate(string(d, CL_DEVICE_NAME), pname, number(d, CL_DEVICE_TYPE, Sizeof.cl_ulong)));
                }
            }
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new BackendUnavailableException("cannot load OpenCL: " + e.getMessage() + ". " + LOADER_HINT, e);
        } catch (CLException e) {
            throw new BackendUnavailableException("cannot list OpenCL devices: " + e.getMessage(), e);
        }
        int i = DeviceChoice.choose(candidates, System.getProperty(DeviceChoice.PROPERTY));
        DeviceChoice.Candidate c = candidates.get(i);
        ClDevice d = new ClDevice(platforms.get(i), ids.get(i), c.name(), c.platform(), c.type());
        LOG.info("OpenCL device {} ({}, {}, driver {}) of {} devices: {}", d.name, DeviceChoice.typeName(c.type()), d.platformName, d.driverVersion,
                candidates.size(), DeviceChoice.names(candidates));
        return d;
    }

    static String string(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return text(b);
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
        return text(b);
    }

    private static String text(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) n--;
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    /** A numeric device property of {@code bytes} bytes (4 or 8). */
    static long number(cl_device_id d, int param, int bytes) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        clGetDeviceInfo(d, param, bytes, Pointer.to(b), null);
        return bytes == 4 ? b.getInt(0) & 0xFFFFFFFFL : b.getLong(0);
    }

    /**
     * A device buffer of {@code bytes}, at least 4 (OpenCL has no empty buffers: an empty tensor gets 4 bytes nobody
     * reads); {@code what} names it in errors. Released by {@link #release}, exactly once.
     */
    cl_mem buffer(long bytes, String what) {
        if (closed) throw new IllegalStateException("OpenCL device '" + name + "' is closed; cannot allocate " + what);
        long size = Math.max(bytes, 4);
        if (size > maxAlloc) {
            throw new BackendException(what + " needs " + mib(size) + " but OpenCL device '" + name + "' allocates at most " + mib(maxAlloc)
                    + " per buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE)");
        }
        try {
            cl_mem m = clCreateBuffer(context, CL_MEM_READ_WRITE, size, null, null);
            synchronized (liveMemory) {
                liveMemory.put(m.getNativePointer(), m);
            }
            MEMORY_CREATED.incrementAndGet();
            LIVE_OBJECTS.incrementAndGet();
            return m;
        } catch (CLException e) {
            throw new BackendException("cannot allocate " + mib(size) + " on OpenCL device '" + name + "' for " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Releases a buffer made by {@link #buffer}; {@code null} is ignored. A handle released before, or not made by this
     * device, is refused with {@link IllegalStateException} without calling the driver (a second clReleaseMemObject
     * is a use after free there).
     */
    void release(cl_mem m) {
        if (m == null) return;
        synchronized (liveMemory) {
            if (liveMemory.remove(m.getNativePointer()) == null) {
                throw new IllegalStateException("OpenCL memory object " + m + " released twice, or not made by device '" + name + "'");
            }
        }
        MEMORY_RELEASED.incrementAndGet();
        LIVE_OBJECTS.decrementAndGet();
        clReleaseMemObject(m);
    }

    /** Memory objects of this device not yet released. */
    int liveMemoryObjects() {
        synchronized (liveMemory) {
            return liveMemory.size();
        }
    }

    /** Copies {@code data} to {@code dst} at byte {@code offset}, waiting for it. */
    void upload(float[] data, cl_mem dst, long offset, String what) {
        if (data.length == 0) return;
        try {
            clEnqueueWriteBuffer(queue, dst, CL_TRUE, offset, 4L * data.length, Pointer.to(data), 0, null, null);
        } catch (CLException e) {
            throw new BackendException("cannot upload " + what + " to OpenCL device '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Reads {@code count} floats of {@code src} at byte {@code offset}, after everything enqueued before. */
    float[] download(cl_mem src, long offset, int count, String what) {
        return download(src, offset, count, what, new float[count]);
    }

    /** {@link #download} into the first {@code count} elements of {@code f}. */
    float[] download(cl_mem src, long offset, int count, String what, float[] f) {
        if (count == 0) return f;
        try {
            clEnqueueReadBuffer(queue, src, CL_TRUE, offset, 4L * count, Pointer.to(f), 0, null, null);
        } catch (CLException e) {
            throw new BackendException("cannot read " + what + " from OpenCL device '" + name + "': " + e.getMessage(), e);
        }
        return f;
    }

    /** Waits until every enqueued command has finished. */
    void finish(String what) {
        try {
            clFinish(queue);
        } catch (CLException e) {
            throw new BackendException("OpenCL device '" + name + "' failed in " + what + ": " + e.getMessage(), e);
        }
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /**
     * Waits for the queue, then releases the queue and the context. Every memory object should have been released by
     * its owner before (the backend closes its executables, then its parameter stores); any left is a leak, logged and
     * released here, before the context.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            clFinish(queue);
        } catch (CLException e) {
            LOG.warn("OpenCL device '{}' failed while closing: {}", name, e.getMessage());
        }
        List<cl_mem> left;
        synchronized (liveMemory) {
            left = new ArrayList<>(liveMemory.values());
            liveMemory.clear();
        }
        if (!left.isEmpty()) {
            LOG.warn("{} OpenCL memory object(s) of device '{}' were not released by their owners; releasing them with the context", left.size(), name);
            for (cl_mem m : left) {
                clReleaseMemObject(m);
                MEMORY_RELEASED.incrementAndGet();
                MEMORY_LEFT_AT_CLOSE.incrementAndGet();
                LIVE_OBJECTS.decrementAndGet();
            }
        }
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
        LIVE_OBJECTS.addAndGet(-2);
    }
}
