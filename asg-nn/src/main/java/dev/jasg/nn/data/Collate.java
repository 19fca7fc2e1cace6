package dev.jasg.nn.data;

import dev.jasg.core.HostTensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Ready-made collate steps: how a list of examples becomes one batch. */
public final class Collate {
    private Collate() {}

    /**
     * Stacks samples into a feed map: features [B, ...] under {@code featuresName} and labels
     * [B, ...] under {@code labelName}, ready for {@code Executable.run} or a trainer step.
     */
    public static Function<List<Sample>, Map<String, HostTensor>> stack(String featuresName, String labelName) {
        return samples -> {
            List<HostTensor> xs = new ArrayList<>(samples.size()), ys = new ArrayList<>(samples.size());
            for (Sample s : samples) {
                xs.add(s.features());
                ys.add(s.label());
            }
            Map<String, HostTensor> out = new LinkedHashMap<>();
            out.put(featuresName, HostTensors.stack(xs));
            out.put(labelName, HostTensors.stack(ys));
            return out;
        };
    }

    /** Stacks tensors into one [B, ...] tensor. */
    public static Function<List<HostTensor>, HostTensor> stackTensors() {
        return HostTensors::stack;
    }
}
