package dev.jasg.nn.io;

import java.nio.file.Path;

/**
 * A pickle names a global that the restricted unpickler of {@link TorchCheckpoint} does not
 * allow (anything but the containers and tensor-rebuilding functions {@code torch.save} writes,
 * the same idea as {@code torch.load(weights_only=True)}): {@code posix.system},
 * {@code builtins.eval}, {@code subprocess.Popen}... The file is refused when the global is met,
 * before anything is called; nothing from the file is returned. The message names the file, the
 * global and the byte of the pickle where it appears.
 */
public class UnsafePickleException extends FormatException {
    private static final long serialVersionUID = 1L;

    private final String global;

    /** {@code file}'s pickle names {@code global} ("module.name") at byte {@code position} of {@code pickle}. */
    public UnsafePickleException(Path file, String pickle, long position, String global) {
        super(file, pickle + " byte " + position + ": global '" + global + "' is not allowed (only collections.OrderedDict,"
                + " torch._utils._rebuild_tensor/_rebuild_tensor_v2/_rebuild_parameter, torch.*Storage, torch dtypes,"
                + " torch.Size and torch.device are); the file may run code when unpickled by Python and is refused");
        this.global = global;
    }

    /** The refused global, as "module.name" exactly as the pickle spells it (e.g. {@code posix.system}). */
    public String global() {
        return global;
    }
}
