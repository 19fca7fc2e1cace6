package dev.jasg.nn;

/**
 * A state dict that knows the element type each tensor had where it was stored (a file's
 * {@code BF16}, say) before it became a host tensor (an {@code F32} one). When the map given to
 * {@link Layer#loadStateDict(java.util.Map, boolean)} implements this, the conversions it logs
 * name the stored type ({@code "fc.weight: BF16 -> F32"}) rather than the host tensor's.
 * {@code dev.jasg.nn.io.StateDict} implements it.
 */
public interface StoredDTypes {
    /** The stored element type of entry {@code key}, upper case as SafeTensors writes it ({@code BF16}, {@code I64}). */
    String storedDType(String key);
}
