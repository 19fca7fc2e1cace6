package dev.jasg.spark;

import dev.jasg.core.HostTensor;
import dev.jasg.nn.io.SafeTensors;
import dev.jasg.nn.io.SafeTensorsFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ReflectionUtils;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A distributed run's checkpoints in one directory that every task reaches, through Hadoop's
 * {@link FileSystem} API: a local path or {@code file:} URI in tests, {@code hdfs://},
 * {@code s3a://}, {@code abfs://}, ... on a cluster. Checkpoint {@code step-<n>.safetensors} holds
 * every stored tensor (weights, buffers, optimizer state) and, as SafeTensors metadata, the step
 * and the loss curve up to it, so a resumed run loses nothing.
 *
 * <p>Atomic as asg-nn's checkpoints: a checkpoint is written to a hidden temporary file and renamed
 * into place, so a reader sees whole checkpoints or none. (On HDFS a rename is atomic; on object
 * stores such as S3 it is a copy, but the checkpoint still appears under its name only once whole,
 * and an unfinished one is never listed.) Each use opens the file system from the settings it was
 * made with; the store holds no open resources. Thread-safe.
 */
public final class CheckpointStore {
    private static final Pattern NAME = Pattern.compile("step-(\\d{1,18})\\.safetensors");
    /** Metadata key of the checkpoint's step. */
    static final String STEP_KEY = "jasg.spark.step";
    /** Metadata key of the loss curve, steps 1 to the checkpoint's, comma-separated. */
    static final String LOSSES_KEY = "jasg.spark.losses";

    private final String dir;
    private final Map<String, String> conf;

    /** The store in directory {@code dir} (a path or URI), with Hadoop settings {@code conf} (e.g. the driver's {@code hadoopConfiguration}). */
    public CheckpointStore(String dir, Map<String, String> conf) {
        this.dir = dir;
        this.conf = Map.copyOf(conf);
    }

    /** A checkpoint read back: its step, the stored tensors and the loss curve of steps 1 to {@code step}. */
    public record Snapshot(long step, Map<String, HostTensor> tensors, double[] losses) {}

    /** A file system for the directory; closes it after use only when it was made outside Hadoop's cache. */
    private record Fs(FileSystem fs, boolean owned) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (owned) fs.close();
        }
    }

    private Fs fs() throws IOException {
        Configuration c = new Configuration();
        conf.forEach(c::set);
        Path p = new Path(dir);
        try {
            return new Fs(p.getFileSystem(c), false);
        } catch (UnsupportedOperationException e) {
            // Hadoop 3.4's file-system cache asks UserGroupInformation for the current user, which calls
            // Subject.getSubject, refused from JDK 24 on; a file system made outside the cache needs no user
            // for local and most object-store schemes (HDFS itself still does: run it on JDK 17 or 21).
            URI uri = p.toUri().getScheme() == null ? FileSystem.getDefaultUri(c).resolve(p.toUri()) : p.toUri();
            FileSystem fs = ReflectionUtils.newInstance(FileSystem.getFileSystemClass(uri.getScheme(), c), c);
            fs.initialize(uri, c);
            return new Fs(fs, true);
        }
    }

    /** The path of the checkpoint of {@code step}. */
    public String pathOf(long step) {
        return new Path(dir, name(step)).toString();
    }

    private static String name(long step) {
        return String.format("step-%09d.safetensors", step);
    }

    /** Writes the checkpoint of {@code step}: {@code tensors} and the loss curve {@code losses[0 .. step-1]}. */
    public void save(long step, Map<String, HostTensor> tensors, double[] losses) throws IOException {
        try (Fs f = fs()) {
            save(f.fs(), step, tensors, losses);
        }
    }

    private void save(FileSystem fs, long step, Map<String, HostTensor> tensors, double[] losses) throws IOException {
        Path d = new Path(dir);
        fs.mkdirs(d);
        Path target = new Path(d, name(step));
        Path tmp = new Path(d, "." + name(step) + "." + java.util.UUID.randomUUID() + ".tmp");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(STEP_KEY, Long.toString(step));
        meta.put(LOSSES_KEY, Arrays.stream(losses, 0, (int) step).mapToObj(Double::toString).collect(Collectors.joining(",")));
        try {
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                SafeTensors.write(out, SafeTensors.entries(tensors), meta);
                out.hsync();
            }
            // a checkpoint of a step is the same whoever wrote it (a run is deterministic), so a stale one from a failed attempt may go
            if (fs.exists(target)) fs.delete(target, false);
            if (!fs.rename(tmp, target)) throw new IOException("could not rename " + tmp + " to " + target);
        } finally {
            if (fs.exists(tmp)) fs.delete(tmp, false);
        }
    }

    /** The step of the newest checkpoint, or empty when there is none (or no directory yet). */
    public OptionalLong latestStep() throws IOException {
        FileStatus[] all;
        try (Fs f = fs()) {
            all = f.fs().listStatus(new Path(dir));
        } catch (FileNotFoundException e) {
            return OptionalLong.empty();
        }
        long best = -1;
        for (FileStatus s : all) {
            Matcher m = NAME.matcher(s.getPath().getName());
            if (s.isFile() && m.matches()) best = Math.max(best, Long.parseLong(m.group(1)));
        }
        return best < 0 ? OptionalLong.empty() : OptionalLong.of(best);
    }

    /** Reads the checkpoint of {@code step} (copied to a local temporary file, which SafeTensors reads). */
    public Snapshot read(long step) throws IOException {
        java.nio.file.Path local = Files.createTempFile("jasg-spark-", ".safetensors");
        try {
            try (Fs f = fs(); InputStream in = f.fs().open(new Path(dir, name(step)))) {
                Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
            }
            try (SafeTensorsFile f = SafeTensorsFile.open(local)) {
                Map<String, HostTensor> tensors = new LinkedHashMap<>();
                for (String name : f.names()) tensors.put(name, f.read(name));
                Map<String, String> meta = f.metadata();
                if (!Long.toString(step).equals(meta.get(STEP_KEY))) {
                    throw new IOException(pathOf(step) + ": metadata " + STEP_KEY + " is " + meta.get(STEP_KEY) + ", expected " + step);
                }
                String l = meta.getOrDefault(LOSSES_KEY, "");
                double[] losses = l.isEmpty() ? new double[0] : Arrays.stream(l.split(",")).mapToDouble(Double::parseDouble).toArray();
                return new Snapshot(step, tensors, losses);
            }
        } finally {
            Files.deleteIfExists(local);
        }
    }

    @Override
    public String toString() {
        return "CheckpointStore(" + dir + ")";
    }
}
