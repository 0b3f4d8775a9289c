package dev.oomsim.bench;

import java.util.Locale;

/** How figures are printed in the table: three significant digits, with k / M / G for large values. */
public final class Figures {

    private Figures() {
    }

    public static String format(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        double a = Math.abs(v);
        if (a >= 1e9) {
            return sig(v / 1e9) + " G";
        }
        if (a >= 1e6) {
            return sig(v / 1e6) + " M";
        }
        if (a >= 1e4) {
            return sig(v / 1e3) + " k";
        }
        return sig(v);
    }

    /** Three significant digits, no exponent, trailing zeros of the fraction dropped. */
    static String sig(double v) {
        double a = Math.abs(v);
        String s;
        if (a == 0) {
            return "0";
        } else if (a >= 100) {
            s = String.format(Locale.ROOT, "%.0f", v);
        } else if (a >= 10) {
            s = String.format(Locale.ROOT, "%.1f", v);
        } else if (a >= 1) {
            s = String.format(Locale.ROOT, "%.2f", v);
        } else {
            int decimals = Math.min(9, 2 - (int) Math.floor(Math.log10(a)));
            s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    public static String ratio(double r) {
        return sig(r) + "×";
    }
}
