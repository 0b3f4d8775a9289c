package dev.oomsim.report;

/**
 * The printk era of a report, from the kernel release on its {@code CPU:} line or, without one, from the task
 * table's columns. It decides the model profile and whether {@code oom_badness} has the 3% root bonus.
 */
public enum Era {
    /** v3.10 – v3.19: {@code nr_ptes}, root bonus, {@code Kill process … score}. */
    V3_NR_PTES("seed", true),
    /** v4.0 – v4.14: {@code nr_ptes nr_pmds} (nr_pmds came with v4.0-rc1), root bonus. */
    V4_NR_PMDS("seed", true),
    /** v4.15 – v4.16: {@code pgtables_bytes}, root bonus still. */
    V4_PGTABLES_BONUS("seed", true),
    /** v4.17 and later: {@code pgtables_bytes}, no root bonus (removed in v4.17), signed badness. */
    MODERN("modern", false);

    private final String profile;
    private final boolean rootBonus;

    Era(String profile, boolean rootBonus) {
        this.profile = profile;
        this.rootBonus = rootBonus;
    }

    /** The model profile that decides like this era: {@code seed} (v4.4) or {@code modern} (v6.1). */
    public String profile() {
        return profile;
    }

    /** Whether {@code oom_badness} subtracts 3% for a CAP_SYS_ADMIN task in this era. */
    public boolean rootBonus() {
        return rootBonus;
    }

    /** The era of a report. */
    public static Era of(ParsedReport r) {
        if (r.requester() != null && r.requester().kernelRelease() != null) {
            String[] v = r.requester().kernelRelease().split("[.\\-]");
            try {
                int major = Integer.parseInt(v[0]);
                int minor = Integer.parseInt(v[1]);
                if (major < 4) {
                    return V3_NR_PTES;
                }
                if (major == 4 && minor <= 14) {
                    return V4_NR_PMDS;
                }
                if (major == 4 && minor <= 16) {
                    return V4_PGTABLES_BONUS;
                }
                return MODERN;
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                // fall through to the columns
            }
        }
        if (r.tableColumns() != null && r.tableColumns().contains("nr_pmds")) {
            return V4_NR_PMDS;
        }
        if (r.tableColumns() != null && r.tableColumns().contains("nr_ptes")) {
            return V3_NR_PTES;
        }
        return MODERN;
    }
}
