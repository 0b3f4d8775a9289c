package dev.oomsim.coordinator;

/** The coordinator's queryable state stores (docs/coordinator.md, "State stores"). */
public final class StoreNames {

    /** Key-value, node id ({@code Integer}) to that node's {@code PressureView}. */
    public static final String NODE_PRESSURE = "node-pressure";
    /** Key-value, {@value CoordinatorTopology#CLUSTER_KEY} to the cluster's {@code PressureView}. */
    public static final String CLUSTER_PRESSURE = "cluster-pressure";
    /** Key-value, {@link KillKeys#of(long, String)} to the {@code KillEvent}; the newest kills only. */
    public static final String RECENT_KILLS = "recent-kills";

    private StoreNames() {
    }
}
