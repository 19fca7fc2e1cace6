package dev.jasg.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("opencl")
class SmokeTest {
    @Test
    void addsTwoVectorsOnTheDevice() {
        try (OpenClBackend ocl = Ocl.open()) {
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.input("x", DType.F32, 4), y = b.input("y", DType.F32, 4);
            b.output("z", x.add(y).mul(2));
            try (Executable e = ocl.compile(b.build())) {
                float[] z = e.run(Map.of("x", HostTensor.of(new float[] {1, 2, 3, 4}, 4), "y", HostTensor.of(new float[] {10, 20, 30, 40}, 4)))
                        .get("z").floats();
                assertArrayEquals(new float[] {22, 44, 66, 88}, z);
            }
        }
    }
}
