package dev.jasg.core;

/**
 * Service interface through which {@link java.util.ServiceLoader} finds backends. Listing
 * a provider costs nothing; {@link #create()} starts the backend (and its device).
 */
public interface BackendProvider {
    /** The backend's name. */
    String name();

    /** Preference when no name is given; the highest wins (cpu 100, reference 0). */
    default int priority() {
        return 0;
    }

    /** Starts the backend; throws {@link BackendUnavailableException} when it cannot run here. */
    Backend create();
}
