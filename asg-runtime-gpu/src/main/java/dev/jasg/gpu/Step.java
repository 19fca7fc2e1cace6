package dev.jasg.gpu;

import java.util.List;

/** One command of a compiled run, with the ranges it reads and writes (for barrier placement). */
sealed interface Step {
    /** Ranges read. */
    List<View> reads();

    /** Ranges written. */
    List<View> writes();

    /** A compute dispatch of {@code pipeline} with {@code bindings} (binding 0 is the output) and push constants. */
    record Dispatch(Pipelines.Pipeline pipeline, View[] bindings, int[] push, int gx, int gy, int gz, List<View> reads, List<View> writes)
            implements Step {}

    /** A buffer-to-buffer copy of {@code src.bytes} bytes. */
    record Copy(View src, View dst) implements Step {
        public List<View> reads() {
            return List.of(src);
        }

        public List<View> writes() {
            return List.of(dst);
        }
    }

    /** Zeroes {@code dst}. */
    record Fill(View dst) implements Step {
        public List<View> reads() {
            return List.of();
        }

        public List<View> writes() {
            return List.of(dst);
        }
    }
}
