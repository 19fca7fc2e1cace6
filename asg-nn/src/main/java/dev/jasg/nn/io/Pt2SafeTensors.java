package dev.jasg.nn.io;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code pt2safetensors} command: converts a PyTorch checkpoint to SafeTensors without Python.
 *
 * <pre>
 * pt2safetensors [--key PATH] IN.pt OUT.safetensors
 *   --key PATH   the state dict inside a nested checkpoint ("model", "optimizer/state/0");
 *                without it the state dict is found as {@link TorchCheckpoint#stateDict()} finds it
 * </pre>
 *
 * Reads {@code IN} with {@link TorchCheckpoint} (restricted unpickler: a checkpoint that would run
 * code is refused) and writes its state dict with {@link SafeTensors#save}, atomically, each tensor
 * in its own dtype (F16 stays F16, BF16 stays BF16...), dense (views are materialised, shared
 * storages written once per name), with metadata {@code {"format":"pt"}} as Hugging Face's
 * converter writes. Integer tensors must hold magnitudes up to 2^24 (JASG's host integer range).
 *
 * <p>Exit codes: 0 converted; 1 the input is malformed or unsafe ({@link FormatException},
 * {@link UnsafePickleException}) or an I/O error; 2 usage error (wrong argument count, unknown flag,
 * {@code --help} prints the usage and exits 0). Messages go to standard error; one summary line
 * to standard output.
 *
 * <p>Run it from a checkout: {@code mvn -q -pl asg-nn -am compile exec:java -Dexec.mainClass=dev.jasg.nn.io.Pt2SafeTensors
 * -Dexec.args="in.pt out.safetensors"}.
 */
public final class Pt2SafeTensors {
    static final String USAGE = "usage: pt2safetensors [--key PATH] IN.pt OUT.safetensors\n"
            + "  converts a PyTorch checkpoint (torch.save zip) to SafeTensors; --key picks the state dict\n"
            + "  inside a nested checkpoint (e.g. --key model); code in the checkpoint is never run";

    private Pt2SafeTensors() {}

    /** Runs the command and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command with {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String key = null;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return 0;
            } else if (a.equals("--key")) {
                if (i + 1 >= args.length) return usage(err, "--key needs a PATH");
                key = args[++i];
            } else if (a.startsWith("-") && a.length() > 1) {
                return usage(err, "unknown option " + a);
            } else {
                files.add(a);
            }
        }
        if (files.size() != 2) return usage(err, "expected IN and OUT, got " + files.size() + " file argument(s)");
        Path in = Path.of(files.get(0));
        Path outFile = Path.of(files.get(1));
        if (!Files.isRegularFile(in)) {
            err.println("pt2safetensors: " + in + ": no such file");
            return 1;
        }
        try {
            TorchCheckpoint ck = TorchCheckpoint.read(in);
            Map<String, TorchTensor> sd = key == null ? ck.stateDict() : ck.stateDict(key);
            List<SafeTensors.Entry> entries = new ArrayList<>(sd.size());
            long bytes = 0;
            for (Map.Entry<String, TorchTensor> e : sd.entrySet()) {
                entries.add(new SafeTensors.Entry(e.getKey(), e.getValue().value(), e.getValue().dtype()));
                bytes += e.getValue().value().shape().size() * e.getValue().dtype().bytes();
            }
            SafeTensors.save(outFile, entries, Map.of("format", "pt"));
            out.println("pt2safetensors: wrote " + entries.size() + " tensors (" + bytes + " bytes) to " + outFile);
            return 0;
        } catch (FormatException | IllegalArgumentException e) {
            err.println("pt2safetensors: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("pt2safetensors: " + in + ": " + e);
            return 1;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("pt2safetensors: " + problem);
        err.println(USAGE);
        return 2;
    }
}
