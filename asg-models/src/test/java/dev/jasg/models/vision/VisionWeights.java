package dev.jasg.models.vision;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ParameterSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deterministic weights of {@code make_vision_fixtures.py}, computed the same way (see its
 * docstring): every float parameter and buffer, by name. The integer buffers are left out:
 * {@code num_batches_tracked} (which eval mode does not read) and the {@code seed} of JASG's
 * {@code Dropout}, which torchvision's {@code state_dict} does not have.
 */
final class VisionWeights {
    private VisionWeights() {}

    static Map<String, HostTensor> of(Layer model) {
        Map<String, ParameterSpec> all = new LinkedHashMap<>(model.namedParameters());
        all.putAll(model.namedBuffers());
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (var e : all.entrySet()) {
            if (!e.getValue().dtype().isFloat()) continue;
            out.put(e.getKey(), weight(e.getKey(), e.getValue().shape()));
        }
        return out;
    }

    static HostTensor weight(String name, Shape shape) {
        int rank = shape.rank();
        int n = 1;
        for (int a = 0; a < rank; a++) n *= shape.dim(a);
        int h = 0;
        for (int j = 0; j < name.length(); j++) h += (j + 1) * name.charAt(j);
        double k = (h % 1000) * 0.01;
        double scale, offset;
        if (name.endsWith("running_var")) { offset = 1; scale = 0.5; }
        else if (name.endsWith("running_mean")) { offset = 0; scale = 0.1; }
        else if (rank == 1 && name.endsWith("weight")) { offset = 1; scale = 0.2; }
        else if (rank == 1) { offset = 0; scale = 0.1; }
        else { offset = 0; scale = Math.sqrt(3.0 / (n / shape.dim(0))); }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double di = i;
            v[i] = (float) (offset + scale * Math.sin(0.37 * di + 0.001 * di * di + k));
        }
        return HostTensor.of(v, shape.dims());
    }
}
