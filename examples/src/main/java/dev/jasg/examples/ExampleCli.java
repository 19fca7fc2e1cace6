package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;

/**
 * The command line every example shares: {@code --backend NAME} picks a backend by name
 * ({@code cpu} by default, {@code reference}, {@code vulkan}), {@code --gpu} is short for
 * {@code --backend vulkan}. A backend that cannot be started ends the program with status 2
 * and a message saying why.
 */
final class ExampleCli {
    private ExampleCli() {}

    /** The backend {@code args} ask for, started; exits with status 2 on a bad argument or a missing backend. */
    static Backend backend(String program, String[] args) {
        String name = "cpu";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--backend") && i + 1 < args.length) name = args[++i];
            else if (args[i].equals("--gpu")) name = "vulkan";
            else {
                System.err.println("usage: " + program + " [--backend cpu|reference|vulkan] [--gpu]");
                System.exit(2);
            }
        }
        try {
            return Backends.create(name);
        } catch (BackendUnavailableException e) {
            System.err.println(program + ": the '" + name + "' backend is not available: " + e.getMessage());
            if (name.equalsIgnoreCase("vulkan")) {
                System.err.println("The GPU backend needs the asg-runtime-gpu module on the class path and a Vulkan device"
                        + " (Mesa's lavapipe works on any machine: apt-get install libvulkan1 mesa-vulkan-drivers).");
            }
            System.exit(2);
            throw e; // not reached
        }
    }
}
