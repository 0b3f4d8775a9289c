package dev.oomsim.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

import dev.oomsim.schemas.PressureView;

/**
 * The coordinator's pressure views as a table: one row per node (by id), the cluster row last, with free memory as a
 * share of managed memory, the requests, failed allocations, {@code __alloc_pages_may_oom} calls and kills folded so
 * far, and the last victim.
 */
final class PressureTable {

    private static final String CLUSTER = "cluster";
    private static final String FORMAT = "%-9s %10s %10s %6s %9s %7s %8s %6s  %s%n";

    private PressureTable() {
    }

    static String render(Collection<PressureView> views) {
        if (views.isEmpty()) {
            return "no pressure views yet: the coordinator publishes one per node once the agents report\n";
        }
        List<PressureView> rows = new ArrayList<>(views);
        rows.sort(Comparator.comparing(PressureTable::order));
        StringBuilder out = new StringBuilder();
        out.append(String.format(FORMAT, "scope", "managed", "free", "free%", "requests", "failed", "may_oom", "kills",
                "last victim"));
        for (PressureView v : rows) {
            String freeShare = v.getManagedPages() == 0 ? "-"
                    : String.format("%.1f%%", 100.0 * v.getFreePages() / v.getManagedPages());
            String victim = v.getLastVictimPid() == null ? "-"
                    : v.getLastVictimPid() + (v.getLastVictimComm() == null ? "" : " (" + v.getLastVictimComm() + ")");
            out.append(String.format(FORMAT, v.getScope(), v.getManagedPages(), v.getFreePages(), freeShare,
                    v.getRequests(), v.getFailedAllocations(), v.getMayOomCalls(), v.getKills(), victim));
        }
        return out.toString();
    }

    /** Nodes by id, then anything else by name, the cluster row last. */
    private static String order(PressureView v) {
        String scope = v.getScope();
        if (scope.equals(CLUSTER)) {
            return "~";
        }
        if (scope.startsWith("node-")) {
            try {
                return String.format("0%010d", Integer.parseInt(scope.substring(5)));
            } catch (NumberFormatException e) {
                return "1" + scope;
            }
        }
        return "1" + scope;
    }
}
