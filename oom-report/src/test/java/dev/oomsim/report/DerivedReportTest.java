package dev.oomsim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Reports derived from a real one on purpose (reports/README.md): wrapped, mixed, damaged. */
class DerivedReportTest {

    @Test
    void syslogWrappedReportWithOtherMessagesSplitsIntoTwoReportsAndShowsTheForeignLines() {
        ReportParser.Result result = ReportParser.parse(Reports.lines("derived-rhel7-syslog.txt"));
        assertThat(result.reports()).hasSize(2);
        ParsedReport first = result.reports().get(0);
        assertThat(first.firstLine()).isEqualTo(1);
        assertThat(result.reports().get(1).firstLine()).isEqualTo(143);
        assertThat(first.unrecognised()).extracting(ParsedReport.Unrecognised::line).containsExactly(4, 62);
        assertThat(first.unrecognised().get(0).text()).contains("systemd[1]: Started Session 42");
        assertThat(first.tasks()).hasSize(85);
        for (ParsedReport r : result.reports()) {
            Verdict v = Verdict.of(r, WhatIf.NONE);
            assertThat(v.primary().victim()).isEqualTo(6576);
            assertThat(v.primary().score()).isEqualTo(651L);
        }
    }

    @Test
    void truncatedTableSaysTheKillLinesAreMissing() {
        ParsedReport r = Reports.only("derived-rhel7-truncated-table.txt");
        assertThat(r.missing()).containsExactly(
                "kill lines (Kill process / Killed process / oom-kill:) — the table may be truncated");
        assertThat(r.tasks()).hasSize(27);
        Verdict v = Verdict.of(r, WhatIf.NONE);
        assertThat(r.kernelVictim()).isNull();
        assertThat(v.matchesKernel()).isFalse();
    }

    @Test
    void reportWithoutZoneAndRamLinesNamesWhatTheRebuildLacks() {
        ParsedReport r = Reports.only("derived-rhel7-no-meminfo.txt");
        assertThatThrownBy(() -> Rebuild.of(r, WhatIf.NONE, false))
                .isInstanceOf(Rebuild.IncompleteReportException.class)
                .hasMessage("report at line 1 lacks per-zone lines (Mem-Info: Node N ZONE free:… min:…); "
                        + "pages RAM / pages reserved lines");
    }

    @Test
    void whatIfProtectingMysqldMovesTheKillToJava() {
        ParsedReport r = Reports.only("rhel7-3.10-x86_64-2-nodes.txt");
        Verdict v = Verdict.of(r, new WhatIf(Map.of(6576, -1000), List.of(), null, 0));
        assertThat(v.primary().victim()).isEqualTo(27502);
        assertThat(v.skipped(v.primary())).extracting(m -> m.get("pid")).containsExactly(6576);
        assertThat(v.skipped(v.primary()).get(0).get("why")).isEqualTo("oom_score_adj -1000: unkillable");
    }

    @Test
    void whatIfRemovingMysqldAndAddingSwap() {
        ParsedReport r = Reports.only("rhel7-3.10-x86_64-2-nodes.txt");
        Verdict killed = Verdict.of(r, new WhatIf(Map.of(), List.of(6576), null, 0));
        assertThat(killed.primary().victim()).isEqualTo(27502);
        Verdict swap = Verdict.of(r, new WhatIf(Map.of(), List.of(), null, 10283998L));
        assertThat(swap.primary().victim()).isEqualTo(6576);
        assertThat(swap.primary().totalpages()).isEqualTo(2 * 10283998L);
        assertThat(swap.primary().score()).isEqualTo(6700394L * 1000 / (2 * 10283998L));
    }

    @Test
    void explanationNamesTheZonesLastChance() {
        Verdict v = Verdict.of(Reports.only("rhel7-3.10-x86_64-2-nodes.txt"), WhatIf.NONE);
        assertThat(v.watermarks()).extracting(w -> w.get("zone") + ":" + w.get("last_chance_short_by"))
                .containsExactly("DMA:11883", "DMA32:1061", "Normal:4622", "Normal:4683");
        assertThat(v.render()).contains("Node 1 Normal  free 12359, needs > 17041: short by 4683");
    }
}
