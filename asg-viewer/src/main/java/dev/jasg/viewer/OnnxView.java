package dev.jasg.viewer;

import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.onnx.OnnxImport;
import dev.jasg.onnx.OnnxModel;
import dev.jasg.viewer.ui.ViewerWindow;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar viewer.jar --onnx model.onnx}: imports an ONNX model ({@link OnnxImport}) and shows its
 * graph in the viewer window (inputs and outputs under their ONNX names, parameters under the initializers'
 * names, the inspector on every node); headless, or without a display, it prints a one-line summary of the
 * imported graph instead. Nothing is trained, so the gradient view is empty. The other viewer options that apply
 * ({@code --lang}, {@code --theme}, {@code --headless}) are honoured.
 *
 * <p>Stateless static methods; each call works on its own objects, so calls may run concurrently.
 */
public final class OnnxView {
    /** The option that selects this mode. */
    public static final String OPTION = "--onnx";

    private OnnxView() {}

    /** Whether {@code args} hold {@code --onnx}. */
    public static boolean requested(String[] args) {
        for (String a : args) if (a.equals(OPTION)) return true;
        return false;
    }

    /** The path given after {@code --onnx}; a {@link ViewerOptions.UsageException} when it is missing or given twice. */
    static Path path(String[] args) {
        Path p = null;
        for (int i = 0; i < args.length; i++) {
            if (!args[i].equals(OPTION)) continue;
            if (p != null) throw new ViewerOptions.UsageException(OPTION + " is given twice");
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) throw new ViewerOptions.UsageException(OPTION + " needs the path of an .onnx file");
            p = Path.of(args[i + 1]);
        }
        return p;
    }

    /** {@code args} without {@code --onnx} and its path: the viewer options that go with it. */
    static String[] rest(String[] args) {
        List<String> r = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(OPTION)) i++;
            else r.add(args[i]);
        }
        return r.toArray(new String[0]);
    }

    /**
     * The graphs the window is given for {@code m}: its forward graph (parameters named as the initializers) and an
     * empty gradient graph continuing it, as nothing is trained.
     */
    public static ComputeUpdate.GraphReady graphs(OnnxModel m) {
        Graph forward = m.graph();
        return new ComputeUpdate.GraphReady(forward, new GraphBuilder(forward).build());
    }

    /** Runs {@code viewer.jar --onnx PATH [options]}; the exit status as {@link ViewerMain#run}: 0 shown, 2 a bad command line or model. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path path;
        ViewerOptions o;
        try {
            path = path(args);
            o = ViewerOptions.parse(rest(args));
        } catch (ViewerOptions.UsageException e) {
            err.println("viewer: " + e.getMessage());
            err.print(ViewerOptions.USAGE);
            return 2;
        }
        if (o.help()) {
            out.print(ViewerOptions.USAGE);
            return 0;
        }
        Messages m = Messages.of(o.languageOrDefault());
        OnnxModel model;
        try {
            if (!Files.isRegularFile(path)) throw new IllegalArgumentException("no such file");
            model = OnnxImport.read(path);
        } catch (RuntimeException e) {
            err.println("viewer: " + m.format("onnx.cannotRead", path, e.getMessage()));
            return 2;
        }
        out.println(summary(m, path, model));
        boolean headless = o.headless() || !ViewerMain.displayUsable();
        if (!o.headless() && headless) err.println("viewer: " + m.get("progress.noDisplay"));
        return headless ? 0 : window(o, m, path, model, err);
    }

    /** The one-line description of the imported model, in {@code m}'s language. */
    static String summary(Messages m, Path path, OnnxModel model) {
        List<String> ins = new ArrayList<>();
        for (OnnxModel.Input i : model.inputs()) ins.add(i.name() + " " + i.dtype().label() + i.shape());
        return m.format("onnx.header", path.getFileName(), model.opset(), model.graph().size(), model.parameters().size(), ins, model.outputNames());
    }

    private static int window(ViewerOptions o, Messages m, Path path, OnnxModel model, PrintStream err) {
        ComputeUpdateQueue updates = new ComputeUpdateQueue();
        updates.onUpdate(graphs(model));
        CountDownLatch closed = new CountDownLatch(1);
        try {
            Viewer.open(updates, null, new ViewerWindow.Config(m.language(), "ONNX · " + path.getFileName(), o.dark(), closed::countDown));
            closed.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            err.println("viewer: " + e.getMessage());
            return 1;
        }
    }
}
