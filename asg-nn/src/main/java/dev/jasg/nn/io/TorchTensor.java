package dev.jasg.nn.io;

import dev.jasg.core.HostTensor;

import java.util.Arrays;

/**
 * A tensor read from a PyTorch checkpoint by {@link TorchCheckpoint}: its dtype in the file,
 * the view PyTorch saved (shape, strides and offset into its storage, in elements) and its
 * value as a dense row-major {@link HostTensor}.
 *
 * <p>The value is the view materialised: element {@code [i0, i1, ...]} is storage element
 * {@code offset + i0*stride[0] + i1*stride[1] + ...}, so transposed and sliced tensors that share
 * a storage read as PyTorch shows them. It is converted exactly as {@link SafeTensorsDType#storage()}
 * says (F16/BF16 widen to F32, I8/U8/I16 to I32; I64 stays I64 and must hold magnitudes up to 2^24).
 */
public final class TorchTensor {
    private final SafeTensorsDType dtype;
    private final int[] shape;
    private final long[] stride;
    private final long offset;
    private final String storageKey;
    private final HostTensor value;

    TorchTensor(SafeTensorsDType dtype, int[] shape, long[] stride, long offset, String storageKey, HostTensor value) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.stride = stride.clone();
        this.offset = offset;
        this.storageKey = storageKey;
        this.value = value;
    }

    /** The element type PyTorch stored (F16 stays F16 here though the value holds F32). */
    public SafeTensorsDType dtype() {
        return dtype;
    }

    /** The shape, as {@code tensor.shape}. */
    public int[] shape() {
        return shape.clone();
    }

    /** The strides in elements, as {@code tensor.stride()}. */
    public long[] stride() {
        return stride.clone();
    }

    /** The offset into the storage in elements, as {@code tensor.storage_offset()}. */
    public long storageOffset() {
        return offset;
    }

    /** The storage's key in the archive ({@code data/<key>}); tensors sharing a storage share the key. */
    public String storageKey() {
        return storageKey;
    }

    /** The value, dense and row-major, in {@code dtype().storage()}. */
    public HostTensor value() {
        return value;
    }

    @Override
    public String toString() {
        return "TorchTensor[" + dtype + " " + Arrays.toString(shape) + " stride " + Arrays.toString(stride) + " offset " + offset
                + " storage '" + storageKey + "']";
    }
}
