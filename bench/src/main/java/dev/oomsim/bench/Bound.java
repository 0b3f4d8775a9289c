package dev.oomsim.bench;

/** Which side of a limit a figure must stay on. */
public enum Bound {
    AT_LEAST("≥"),
    AT_MOST("≤");

    private final String symbol;

    Bound(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    boolean holds(double value, double limit) {
        return this == AT_LEAST ? value >= limit : value <= limit;
    }
}
