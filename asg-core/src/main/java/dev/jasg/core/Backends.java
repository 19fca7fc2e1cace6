package dev.jasg.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/** Finds backends on the class path by name: {@code Backends.create("cpu")}. */
public final class Backends {
    private Backends() {}

    /** Names of the backends on the class path, the preferred first. */
    public static List<String> available() {
        List<String> out = new ArrayList<>();
        for (BackendProvider p : providers()) out.add(p.name());
        return out;
    }

    /** Starts the backend named {@code name} (case-insensitive). */
    public static Backend create(String name) {
        for (BackendProvider p : providers()) {
            if (p.name().equalsIgnoreCase(name.trim())) return p.create();
        }
        throw new BackendUnavailableException("no backend named '" + name + "' on the class path; available: " + available()
                + ". Add the module (asg-runtime-cpu for \"cpu\", asg-runtime-gpu for \"vulkan\") as a dependency.");
    }

    /** Starts the preferred backend: {@code cpu} when present, else the reference interpreter. */
    public static Backend createDefault() {
        List<BackendProvider> ps = providers();
        if (ps.isEmpty()) throw new BackendUnavailableException("no backend on the class path");
        return ps.get(0).create();
    }

    private static List<BackendProvider> providers() {
        List<BackendProvider> ps = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(ps::add);
        ps.sort(Comparator.comparingInt(BackendProvider::priority).reversed().thenComparing(p -> p.name().toLowerCase(Locale.ROOT)));
        return ps;
    }
}
