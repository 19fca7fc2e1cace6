package dev.jasg.spark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * Averages a float vector over the tasks of a barrier stage through Spark's
 * {@code BarrierTaskContext.allGather}: the vector is cut into chunks of at most
 * {@code chunkFloats} values, each chunk is Base64-encoded little-endian floats and gathered in
 * one call, and the mean is summed in double in partition order 0, 1, ..., n-1 and rounded to
 * float once, so every task gets the same bits and a run is deterministic. The first chunk also
 * carries a few doubles per task (the header: losses), returned as they are.
 *
 * <p>Spark's allGather passes every message through the driver's barrier coordinator, so the
 * driver handles {@code n} times the vector per exchange: fine for models of a few million
 * parameters; larger models should use {@link SyncMode.LocalSgd}, which exchanges every k steps.
 * Stateless; each task calls it from its own thread.
 */
final class Allreduce {
    /** Floats per allGather message by default: 1 Mi floats, 4 MiB before encoding. */
    static final int DEFAULT_CHUNK_FLOATS = 1 << 20;

    private Allreduce() {}

    /** The mean vector and every task's header, by partition index. */
    record Reduced(float[] mean, double[][] headers) {}

    /** Averages {@code values} over the group; every task must pass a vector of the same length. */
    static Reduced average(Barrier.Group group, double[] header, float[] values, int chunkFloats) {
        int n = group.size();
        int chunks = Math.max(1, (values.length + chunkFloats - 1) / chunkFloats);
        double[] sum = new double[values.length];
        double[][] headers = new double[n][];
        for (int c = 0; c < chunks; c++) {
            int from = c * chunkFloats, to = Math.min(values.length, from + chunkFloats);
            String[] all = group.allGather(encode(c == 0 ? header : null, values.length, values, from, to));
            if (all.length != n) throw new IllegalStateException("allGather returned " + all.length + " messages for " + n + " tasks");
            for (int t = 0; t < n; t++) {
                ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(all[t])).order(ByteOrder.LITTLE_ENDIAN);
                if (c == 0) {
                    double[] h = new double[b.getInt()];
                    for (int i = 0; i < h.length; i++) h[i] = b.getDouble();
                    headers[t] = h;
                    int length = b.getInt();
                    if (length != values.length) {
                        throw new IllegalStateException("task " + t + " exchanges " + length + " values, task " + group.rank() + " " + values.length
                                + "; every replica must build the same model");
                    }
                }
                if (b.remaining() != 4 * (to - from)) throw new IllegalStateException("task " + t + " sent " + b.remaining() / 4 + " values of chunk " + c + ", expected " + (to - from));
                float[] part = new float[to - from];
                b.asFloatBuffer().get(part);
                for (int i = from; i < to; i++) sum[i] += part[i - from];
            }
        }
        float[] mean = new float[values.length];
        for (int i = 0; i < mean.length; i++) mean[i] = (float) (sum[i] / n);
        return new Reduced(mean, headers);
    }

    private static String encode(double[] header, int length, float[] values, int from, int to) {
        int bytes = 4 * (to - from) + (header != null ? 8 + 8 * header.length : 0);
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (header != null) {
            b.putInt(header.length);
            for (double h : header) b.putDouble(h);
            b.putInt(length);
        }
        b.asFloatBuffer().put(values, from, to - from);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
