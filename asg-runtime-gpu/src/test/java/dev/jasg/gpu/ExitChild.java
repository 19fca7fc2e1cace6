package dev.jasg.gpu;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;

import java.util.Map;

/**
 * A whole program that uses the Vulkan backend, for {@link ExitStatusTest}: runs a matrix product,
 * prints its sum, and ends as {@code args[0]} says: {@code return} from main with the backend
 * closed, {@code open} (return with the backend left open), {@code exit N} ({@code System.exit(N)}).
 */
public final class ExitChild {
    private ExitChild() {}

    public static void main(String[] args) {
        String how = args.length > 0 ? args[0] : "return";
        VulkanBackend b = new VulkanBackend();
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 32, 32);
        g.output("y", x.matmul(x));
        float[] v = new float[32 * 32];
        for (int i = 0; i < v.length; i++) v[i] = (i % 5) * 0.25f;
        HostTensor y = b.compile(g.build()).run(Map.of("x", HostTensor.of(v, 32, 32))).get("y");
        double sum = 0;
        for (int i = 0; i < y.size(); i++) sum += y.get(i);
        System.out.println("sum " + sum + " on " + b.device().name);
        if (!how.equals("open")) b.close();
        if (how.equals("exit")) System.exit(Integer.parseInt(args[1]));
    }
}
