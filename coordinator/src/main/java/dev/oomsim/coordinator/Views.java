package dev.oomsim.coordinator;

import java.util.ArrayList;
import java.util.List;

import dev.oomsim.schemas.AllocationPressure;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.PathCounts;
import dev.oomsim.schemas.PathRates;
import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.PsiAverages;
import dev.oomsim.schemas.PsiPressure;
import dev.oomsim.schemas.WatermarkLevel;
import dev.oomsim.schemas.ZonePressure;
import dev.oomsim.schemas.ZoneState;

/** Builds the parts of a {@code PressureView} (docs/coordinator.md, "The views"). */
final class Views {

    private Views() {
    }

    /** The zone's level against its watermarks: above high, low-high, min-low, below (or at) min. */
    static WatermarkLevel level(long free, long min, long low, long high) {
        if (free > high) {
            return WatermarkLevel.ABOVE_HIGH;
        }
        if (free > low) {
            return WatermarkLevel.LOW_TO_HIGH;
        }
        if (free > min) {
            return WatermarkLevel.MIN_TO_LOW;
        }
        return WatermarkLevel.BELOW_MIN;
    }

    static WatermarkLevel worst(WatermarkLevel a, WatermarkLevel b) {
        if (a == null) {
            return b;
        }
        return b == null || a.ordinal() >= b.ordinal() ? a : b;
    }

    static List<ZonePressure> zones(NodeState state) {
        List<ZonePressure> zones = new ArrayList<>();
        for (ZoneState z : state.getZones()) {
            zones.add(ZonePressure.newBuilder()
                    .setNode(state.getNode())
                    .setZone(z.getZone())
                    .setManagedPages(z.getManagedPages())
                    .setFreePages(z.getFreePages())
                    .setWatermarkMin(z.getWatermarkMin())
                    .setWatermarkLow(z.getWatermarkLow())
                    .setWatermarkHigh(z.getWatermarkHigh())
                    .setLevel(level(z.getFreePages(), z.getWatermarkMin(), z.getWatermarkLow(),
                            z.getWatermarkHigh()))
                    .setNrFree(List.copyOf(z.getNrFree()))
                    .build());
        }
        return zones;
    }

    /** The node view's zone fields from its newest state. */
    static void applyState(PressureView.Builder view, NodeState state) {
        List<ZonePressure> zones = zones(state);
        WatermarkLevel level = null;
        long managed = 0;
        long free = 0;
        for (ZonePressure z : zones) {
            level = worst(level, z.getLevel());
            managed += z.getManagedPages();
            free += z.getFreePages();
        }
        view.setZones(zones).setLevel(level).setManagedPages(managed).setFreePages(free)
                .setProfile(state.getProfile()).setNode(state.getNode());
    }

    static AllocationPressure allocations(NodeFoldState s, long rateWindowMs) {
        long[] t = s.totals;
        double[] w = s.rates.lastClosed();
        double sec = rateWindowMs / 1000.0;
        return AllocationPressure.newBuilder()
                .setTotals(PathCounts.newBuilder().setFastPath(t[0]).setSlowPath(t[1]).setReclaim(t[2])
                        .setMayOom(t[3]).setNopage(t[4]).build())
                .setPerSecond(PathRates.newBuilder().setFastPath(w[0] / sec).setSlowPath(w[1] / sec)
                        .setReclaim(w[2] / sec).setMayOom(w[3] / sec).setNopage(w[4] / sec).build())
                .setRateWindowMs(rateWindowMs)
                .setRetries(s.retries)
                .setStallMs(s.stallMs)
                .build();
    }

    static PsiPressure psi(PsiFold p) {
        return PsiPressure.newBuilder()
                .setSome(PsiAverages.newBuilder().setAvg10(p.some[0]).setAvg60(p.some[1]).setAvg300(p.some[2])
                        .setTotalMs(p.someTotalMs).build())
                .setFull(PsiAverages.newBuilder().setAvg10(p.full[0]).setAvg60(p.full[1]).setAvg300(p.full[2])
                        .setTotalMs(p.fullTotalMs).build())
                .build();
    }

    static String nodeScope(int node) {
        return "node-" + node;
    }
}
