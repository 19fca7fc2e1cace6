package dev.jasg.viewer.ui;

import dev.jasg.viewer.Messages;

import javax.swing.JFileChooser;
import javax.swing.JOptionPane;
import javax.swing.filechooser.FileNameExtensionFilter;
import java.awt.Component;
import java.io.File;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The few dialogs the window asks: where to save a file, a new constant value. */
final class Dialogs {
    private Dialogs() {}

    /** A file to save, ending in {@code .ext}, or empty when cancelled. */
    static Optional<Path> saveFile(Component parent, Messages m, String suggested, String ext) {
        JFileChooser fc = new JFileChooser();
        fc.setDialogTitle(m.format("dialog.save", ext.toUpperCase(Locale.ROOT)));
        fc.setFileFilter(new FileNameExtensionFilter(ext.toUpperCase(Locale.ROOT), ext));
        fc.setSelectedFile(new File(suggested));
        if (fc.showSaveDialog(parent) != JFileChooser.APPROVE_OPTION) return Optional.empty();
        Path p = fc.getSelectedFile().toPath();
        if (!p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith("." + ext)) p = p.resolveSibling(p.getFileName() + "." + ext);
        return Optional.of(p);
    }

    /** A new scalar value for constant {@code path} (now {@code current}), or empty when cancelled or not a number. */
    static Optional<Double> constant(Component parent, Messages m, String path, String current) {
        Object answer = JOptionPane.showInputDialog(parent, m.format("dialog.constant.prompt", path, current), m.get("dialog.constant.title"),
                JOptionPane.QUESTION_MESSAGE, null, null, current);
        if (answer == null) return Optional.empty();
        try {
            double v = Double.parseDouble(answer.toString().trim().replace(',', '.'));
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return Optional.of(v);
        } catch (NumberFormatException e) {
            JOptionPane.showMessageDialog(parent, m.format("dialog.constant.bad", answer), m.get("dialog.constant.title"), JOptionPane.ERROR_MESSAGE);
            return Optional.empty();
        }
    }
}
