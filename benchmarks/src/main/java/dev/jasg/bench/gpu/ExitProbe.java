package dev.jasg.bench.gpu;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;

import java.util.Map;

/**
 * Opens the Vulkan backend, runs one matmul, closes it and ends the process in the way the
 * arguments say, so a script can compare exit codes of variants (NVIDIA's headless driver ended
 * such JVMs with SIGSEGV in {@code libEGL_nvidia} at exit). Arguments, any of:
 * {@code --nodelete LIB[,LIB...]} (dlopen the libraries with RTLD_NODELETE first),
 * {@code --no-close} (leave the backend open), {@code --halt} (end with {@code Runtime.halt(0)}),
 * {@code --exit} (end with {@code System.exit(0)}).
 */
public final class ExitProbe {
    private ExitProbe() {}

    public static void main(String[] args) throws Exception {
        boolean close = true, halt = false, exit = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nodelete" -> {
                    for (String lib : args[++i].split(",")) {
                        long h = org.lwjgl.system.linux.DynamicLinkLoader.dlopen(lib,
                                org.lwjgl.system.linux.DynamicLinkLoader.RTLD_NOW | org.lwjgl.system.linux.DynamicLinkLoader.RTLD_NODELETE
                                        | org.lwjgl.system.linux.DynamicLinkLoader.RTLD_GLOBAL);
                        System.out.println("dlopen " + lib + " NODELETE -> " + (h != 0 ? "ok" : org.lwjgl.system.linux.DynamicLinkLoader.dlerror()));
                    }
                }
                case "--no-close" -> close = false;
                case "--halt" -> halt = true;
                case "--exit" -> exit = true;
                default -> throw new IllegalArgumentException("ExitProbe: unknown argument " + args[i]);
            }
        }
        Backend b = Backends.create("vulkan");
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 64, 64);
        g.output("y", x.matmul(x));
        float[] v = new float[64 * 64];
        for (int i = 0; i < v.length; i++) v[i] = (i % 7) * 0.1f;
        var exe = b.compile(g.build());
        System.out.println("matmul sum " + sum(exe.run(Map.of("x", HostTensor.of(v, 64, 64))).get("y")));
        if (close) b.close();
        System.out.println("done; ending by " + (halt ? "halt" : exit ? "exit" : "return"));
        System.out.flush();
        if (halt) Runtime.getRuntime().halt(0);
        if (exit) System.exit(0);
    }

    private static double sum(HostTensor t) {
        double s = 0;
        for (int i = 0; i < t.size(); i++) s += t.get(i);
        return s;
    }
}
