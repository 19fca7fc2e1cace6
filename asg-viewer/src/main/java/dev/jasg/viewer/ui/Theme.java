package dev.jasg.viewer.ui;

import com.formdev.flatlaf.FlatDarkLaf;
import com.formdev.flatlaf.FlatLaf;
import com.formdev.flatlaf.FlatLightLaf;

import javax.swing.UIManager;
import javax.swing.UnsupportedLookAndFeelException;

/** The FlatLaf look, dark or light, switchable while the window is open. */
public final class Theme {
    private Theme() {}

    /** Installs the dark or the light FlatLaf look (on the event thread). */
    public static void install(boolean dark) {
        if (dark) FlatDarkLaf.setup();
        else FlatLightLaf.setup();
        UIManager.put("Component.arc", 8);
        UIManager.put("Button.arc", 8);
        UIManager.put("TextComponent.arc", 8);
        UIManager.put("ScrollBar.showButtons", false);
    }

    /** Switches the open windows to the other look. */
    static void switchTo(boolean dark) {
        try {
            UIManager.setLookAndFeel(dark ? new FlatDarkLaf() : new FlatLightLaf());
        } catch (UnsupportedLookAndFeelException e) {
            throw new IllegalStateException(e);
        }
        FlatLaf.updateUI();
    }

    /** True when the installed look is dark. */
    static boolean isDark() {
        return FlatLaf.isLafDark();
    }
}
