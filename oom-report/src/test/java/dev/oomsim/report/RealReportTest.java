package dev.oomsim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Real reports (reports/README.md names each source): the model reaches the kernel's victim and printed score. */
class RealReportTest {

    @Test
    void rhel7TwoNodeReportIsParsedPartByPart() {
        ParsedReport r = Reports.only("rhel7-3.10-x86_64-2-nodes.txt");
        assertThat(r.header().comm()).isEqualTo("sed");
        assertThat(r.header().gfpMask()).isEqualTo(0x201daL);
        assertThat(r.requester().pid()).isEqualTo(29481);
        assertThat(r.requester().kernelRelease()).startsWith("3.10.0-514");
        assertThat(r.cpuset().memsAllowed()).isEqualTo("0-1");
        assertThat(r.zones()).hasSize(4);
        assertThat(r.zones().get(3).node()).isEqualTo(1);
        assertThat(r.zones().get(1).lowmemReserve()).containsExactly(0L, 0L, 13055L, 13055L);
        assertThat(r.buddies()).hasSize(4);
        assertThat(r.buddies().get(1).orders().get(0).migrateTypes()).isEqualTo("UEM");
        assertThat(r.swap().totalKb()).isEqualTo(8388604L);
        assertThat(r.ram().ram()).isEqualTo(8379834L);
        assertThat(r.ram().reserved()).isEqualTo(192987L);
        assertThat(r.tableColumns()).containsExactly("total_vm", "rss", "nr_ptes", "swapents", "oom_score_adj");
        assertThat(r.tasks()).hasSize(85);
        assertThat(r.unrecognised()).isEmpty();
        assertThat(r.kernelVictim()).isEqualTo(6576);
        assertThat(r.kernelScore()).isEqualTo(651L);
        assertThat(Era.of(r)).isEqualTo(Era.V3_NR_PTES);
    }

    @Test
    void rhel7ModelKillsMysqldWithTheKernelsScore() {
        Verdict v = Verdict.of(Reports.only("rhel7-3.10-x86_64-2-nodes.txt"), WhatIf.NONE);
        assertThat(v.primary().victim()).isEqualTo(6576);
        assertThat(v.primary().score()).isEqualTo(651L);
        assertThat(v.primary().totalpages()).isEqualTo(8186847L + 2097151L);
        assertThat(v.matchesKernel()).isTrue();
    }

    @Test
    void ubuntuSysrqReportKillsUnattendedUpgrades() {
        ParsedReport r = Reports.only("ubuntu-5.13-x86_64-sysrq.txt");
        assertThat(r.header().gfpDecoded()).isEqualTo("GFP_KERNEL");
        assertThat(r.header().order()).isEqualTo(-1);
        assertThat(r.tableColumns()).contains("pgtables_bytes");
        assertThat(r.summary().constraint()).isEqualTo("CONSTRAINT_NONE");
        assertThat(r.unrecognised()).isEmpty();
        assertThat(r.kernelScore()).isNull();
        Verdict v = Verdict.of(r, WhatIf.NONE);
        assertThat(Era.of(r)).isEqualTo(Era.MODERN);
        assertThat(v.primary().victim()).isEqualTo(651);
        assertThat(v.matchesKernel()).isTrue();
    }

    @Test
    void tetsuoOrder2ForkFailureKillsGenxrefAndOnlyRootsCapabilityGivesThePrintedScore() {
        ParsedReport r = Reports.only("tetsuo-4.5-x86_64-order-2.txt");
        assertThat(r.header().order()).isEqualTo(2);
        assertThat(r.header().gfpDecoded()).isEqualTo("GFP_KERNEL_ACCOUNT|__GFP_NOTRACK");
        assertThat(r.tableColumns()).contains("nr_pmds");
        assertThat(r.unrecognised()).isEmpty();
        assertThat(Era.of(r)).isEqualTo(Era.V4_NR_PMDS);
        assertThat(r.kernelVictim()).isEqualTo(15286);
        assertThat(r.kills().get(0).comm()).isEqualTo("genxref");
        assertThat(r.kernelScore()).isEqualTo(66L);
        Verdict v = Verdict.of(r, WhatIf.NONE);
        // genxref runs as uid 0: without CAP_SYS_ADMIN 30558 points -> 68; with it 3% off -> 29642 -> 66 (printed)
        assertThat(v.primary().victim()).isEqualTo(15286);
        assertThat(v.primary().score()).isEqualTo(68L);
        assertThat(v.alternate().victim()).isEqualTo(15286);
        assertThat(v.alternate().score()).isEqualTo(66L);
        assertThat(v.capabilityDecides()).isTrue();
        assertThat(v.matchesKernel()).isTrue();
        assertThat(v.render()).contains("CAP_SYS_ADMIN of the uid-0 tasks (never printed) decides it")
                .contains("GFP_KERNEL_ACCOUNT read as GFP_KERNEL");
        // DMA32 is above its watermark in pages but holds no block of order 2: fragmentation failed the request
        assertThat(v.watermarks()).extracting(w -> w.get("zone") + ":" + w.get("last_chance_short_by") + ":"
                + w.get("largest_free_order")).containsExactly("DMA:10:9", "DMA32:0:1");
        assertThat(v.render()).contains("Node 0 DMA32   free 4539, needs > 1939: short by 0 (min + reserve 1293: "
                + "short by 0); largest free block order 1 < order 2: no block fits");
    }

    @Test
    void linux611ReportWithRssSplitColumnsKillsStressNg() {
        ParsedReport r = Reports.only("qemu-6.11-x86_64-stress-ng.txt");
        assertThat(r.requester().pid()).isEqualTo(116);
        assertThat(r.requester().kernelRelease()).startsWith("6.11.0");
        assertThat(r.tableColumns()).containsExactly("total_vm", "rss", "rss_anon", "rss_file", "rss_shmem",
                "pgtables_bytes", "swapents", "oom_score_adj");
        assertThat(r.tasks()).extracting(ParsedReport.TaskRow::pid).containsExactly(111, 114, 115, 116);
        assertThat(r.tasks().get(3).pageTablePages()).isEqualTo(16052224L / 4096);
        assertThat(r.summary().task()).isEqualTo("stress-ng-vm");
        assertThat(r.unrecognised()).isEmpty();
        assertThat(r.kernelVictim()).isEqualTo(116);
        assertThat(r.kills().get(0).comm()).isEqualTo("stress-ng-vm");
        assertThat(r.kernelScore()).isNull();
        Verdict v = Verdict.of(r, WhatIf.NONE);
        assertThat(Era.of(r)).isEqualTo(Era.MODERN);
        assertThat(v.alternate()).isNull();
        assertThat(v.primary().victim()).isEqualTo(116);
        // rss 1995298 + pgtables 16052224 / 4096 = 3919 + oom_score_adj 1000 * (totalpages / 1000) = 2029000
        assertThat(v.primary().outcome().chosen().pointsText()).isEqualTo("4028217");
        assertThat(v.primary().totalpages()).isEqualTo(2097022L - 67366L);
        assertThat(v.matchesKernel()).isTrue();
    }

    @Test
    void dockerMemcgReportOfV44KillsMainWithThePrintedScoreAndShowsTheWrappedStatsLine() {
        ReportParser.Result result = ReportParser.parse(Reports.lines("go-blog-4.4-x86_64-memcg-docker.txt"));
        ParsedReport r = result.reports().get(0);
        assertThat(result.reports()).hasSize(1);
        assertThat(r.memcgOom()).isTrue();
        assertThat(r.memcg().taskMemcg()).startsWith("/docker/34186d9b");
        assertThat(r.memcgName()).isEqualTo(r.memcg().taskMemcg());
        assertThat(r.memcg().limitKb()).isEqualTo(204800L);
        assertThat(r.memcg().memswLimitKb()).isEqualTo(9007199254740988L);
        assertThat(r.missing()).isEmpty();
        assertThat(r.tasks()).extracting(ParsedReport.TaskRow::name).containsExactly("go", "main");
        // the blog broke the Memory cgroup stats line in two: its tail is shown with its number
        assertThat(r.unrecognised()).extracting(ParsedReport.Unrecognised::line).containsExactly(30);
        assertThat(r.unrecognised().get(0).text()).startsWith("ve_file:88KB");
        assertThat(r.kernelVictim()).isEqualTo(11344);
        assertThat(r.kills().get(0).comm()).isEqualTo("main");
        assertThat(r.kernelScore()).isEqualTo(904L);
        Verdict v = Verdict.of(r, WhatIf.NONE);
        // totalpages = the 51200-page limit; main: 46185 + 113 + 5 = 46303 points -> 904. Root bonus (CAP_SYS_ADMIN,
        // which docker drops) would make it 877.
        assertThat(v.primary().totalpages()).isEqualTo(51200L);
        assertThat(v.primary().outcome().constraint().name()).isEqualTo("CONSTRAINT_MEMCG");
        assertThat(v.primary().victim()).isEqualTo(11344);
        assertThat(v.primary().score()).isEqualTo(904L);
        assertThat(v.alternate().victim()).isEqualTo(11344);
        assertThat(v.alternate().score()).isEqualTo(877L);
        assertThat(v.capabilityDecides()).isTrue();
        assertThat(v.matchesKernel()).isTrue();
        assertThat(v.render()).contains("report memcg limit + swap 51200").contains("line 30: ve_file:88KB")
                .contains("a memcg report prints no total swap");
    }

    @Test
    void cgroupV2MemcgReportOf67KillsTheLargerRsyncWhateverTheUnprintedSwap() {
        ReportParser.Result result = ReportParser.parse(Reports.lines("chrisdown-6.7-x86_64-memcg-v2.txt"));
        assertThat(result.reports()).hasSize(1);
        assertThat(result.linesOutsideReports()).isEqualTo(1); // the previous kill's line, before the header
        ParsedReport r = result.reports().get(0);
        assertThat(r.firstLine()).isEqualTo(2);
        assertThat(r.header().gfpDecoded()).isEqualTo("GFP_NOFS|__GFP_NOFAIL|__GFP_ZERO|__GFP_ACCOUNT");
        assertThat(r.requester().kernelRelease()).isEqualTo("6.7.4-arch1-1");
        assertThat(r.memcg().limitKb()).isEqualTo(32768L);
        assertThat(r.memcg().swapLimitKb()).isEqualTo(9007199254740988L);
        assertThat(r.summary().constraint()).isEqualTo("CONSTRAINT_MEMCG");
        assertThat(r.memcgName()).isEqualTo("/user.slice/user-1000.slice/user@1000.service/app.slice/run-u640.service");
        assertThat(r.unrecognised()).isEmpty();
        assertThat(r.kernelVictim()).isEqualTo(128825);
        assertThat(r.kills().get(0).comm()).isEqualTo("rsync");
        assertThat(r.kernelScore()).isNull();
        Verdict v = Verdict.of(r, WhatIf.NONE);
        assertThat(v.primary().victim()).isEqualTo(128825);
        assertThat(v.primary().outcome().chosen().comm()).isEqualTo("rsync");
        assertThat(v.matchesKernel()).isTrue();
        // total swap is not printed; both rsyncs have oom_score_adj 200, so any swap adds the same to both
        for (long swap : new long[] {0, 1_000_000}) {
            Verdict w = Verdict.of(r, new WhatIf(java.util.Map.of(), java.util.List.of(), null, swap));
            assertThat(w.primary().victim()).isEqualTo(128825);
        }
        assertThat(v.primary().rebuild().notes()).anyMatch(n -> n.startsWith("a memcg report prints no total swap"));
    }

    @Test
    void i386HighMemPageFaultOomOf57KillsTheChromiumTabTheKernelKilled() {
        ParsedReport r = Reports.only("machek-5.7-i386-highmem-pagefault.txt");
        assertThat(r.header().gfpMask()).isZero();
        assertThat(r.header().gfpDecoded()).isEmpty();
        assertThat(r.zones()).extracting(ParsedReport.ZoneInfo::zone).containsExactly("DMA", "Normal", "HighMem");
        assertThat(r.zones().get(2).managedKb()).isEqualTo(2229064L);
        assertThat(r.buddies().get(2).orders().get(0).migrateTypes()).isEqualTo("UME");
        assertThat(r.ram().highmem()).isEqualTo(557266L);
        assertThat(r.tasks()).hasSize(132);
        assertThat(r.unrecognised()).isEmpty();
        assertThat(r.kernelVictim()).isEqualTo(5889);
        assertThat(r.kills().get(0).comm()).isEqualTo("chromium");
        assertThat(r.kernelScore()).isNull();
        Verdict v = Verdict.of(r, WhatIf.NONE);
        assertThat(v.primary().rebuild().tree().get("arch")).isEqualTo("i386");
        assertThat(v.primary().rebuild().pagefault()).isTrue();
        assertThat(v.primary().path()).containsExactly("pagefault:out_of_memory");
        assertThat(v.primary().totalpages()).isEqualTo(783982L - 28603L + 2097148L / 4);
        // 29449 + 3363 + 1261568 / 4096 + 300 * (1279666 / 1000) = 416820; chromium 14782 is next with 416091
        assertThat(v.primary().victim()).isEqualTo(5889);
        assertThat(v.primary().outcome().chosen().pointsText()).isEqualTo("416820");
        assertThat(v.candidates(v.primary(), 2)).extracting(c -> c.get("pid")).containsExactly(5889, 14782);
        assertThat(v.matchesKernel()).isTrue();
        assertThat(v.watermarks()).isEmpty();
        assertThat(v.skipped(v.primary())).extracting(m -> m.get("comm")).containsExactly("chromium", "unison");
    }

    @Test
    void rhel7TwoNodeSyslogReportKillsPaloBeAndOnlyRootsCapabilityGivesThePrintedScore() {
        ReportParser.Result result = ReportParser.parse(Reports.lines("rhel7-3.10-862-x86_64-2-nodes-syslog.txt"));
        assertThat(result.reports()).hasSize(1);
        assertThat(result.linesOutsideReports()).isEqualTo(5); // systemd lines before and after the report
        ParsedReport r = result.reports().get(0);
        assertThat(r.firstLine()).isEqualTo(2);
        assertThat(r.requester().comm()).isEqualTo("java");
        assertThat(r.requester().kernelRelease()).isEqualTo("3.10.0-862.el7.x86_64");
        assertThat(r.zones()).extracting(z -> z.node() + ":" + z.zone())
                .containsExactly("0:DMA", "0:DMA32", "0:Normal", "1:Normal");
        assertThat(r.buddies()).hasSize(4);
        assertThat(r.tasks()).hasSize(14);
        assertThat(r.tasks().get(8).name()).isEqualTo("palo_be");
        // the poster's marker after the task name is shown with its line number; the kill lines still parse
        assertThat(r.unrecognised()).extracting(u -> u.line() + " " + u.text())
                .containsExactly("56 text after the task name: <============");
        assertThat(r.kernelVictim()).isEqualTo(53549);
        assertThat(r.kills().get(0).comm()).isEqualTo("palo_be");
        assertThat(r.kernelScore()).isEqualTo(237L);
        assertThat(Era.of(r)).isEqualTo(Era.V3_NR_PTES);
        Verdict v = Verdict.of(r, WhatIf.NONE);
        assertThat(v.primary().totalpages()).isEqualTo(33456799L - 603108L + 33554428L / 4);
        // palo_be: 10068578 + 8552 + 27987 = 10105117 -> 245; as root with CAP_SYS_ADMIN 3% off -> 237 (printed)
        assertThat(v.primary().victim()).isEqualTo(53549);
        assertThat(v.primary().score()).isEqualTo(245L);
        assertThat(v.alternate().victim()).isEqualTo(53549);
        assertThat(v.alternate().score()).isEqualTo(237L);
        assertThat(v.capabilityDecides()).isTrue();
        assertThat(v.matchesKernel()).isTrue();
        assertThat(v.watermarks()).extracting(w -> w.get("node") + ":" + w.get("zone"))
                .containsExactly("0:DMA", "0:DMA32", "0:Normal", "1:Normal");
    }

    @Test
    void v40ReportWhoseZoneLinesWereCutStillReachesThePrintedScoreFromRamMinusReserved() {
        ParsedReport r = Reports.only("chinner-4.0-x86_64-cut-zone-lines.txt");
        assertThat(r.header().comm()).isEqualTo("resvtest");
        assertThat(r.requester().kernelRelease()).startsWith("4.0.0-rc1");
        assertThat(Era.of(r)).isEqualTo(Era.V4_NR_PMDS);
        assertThat(r.zones()).extracting(ParsedReport.ZoneInfo::managedKb).containsExactly(-1L, -1L);
        assertThat(r.zones().get(1).minKb()).isEqualTo(3944L);
        assertThat(r.missing()).containsExactly("managed:/present: of Node 0 DMA, Node 0 DMA32 (the zone lines are "
                + "cut short; only their sum, RAM − reserved, is printed)");
        assertThat(r.tasks()).hasSize(33);
        assertThat(r.unrecognised()).isEmpty();
        assertThat(r.kernelVictim()).isEqualTo(4342);
        assertThat(r.kills().get(0).comm()).isEqualTo("resvtest");
        assertThat(r.kernelScore()).isEqualTo(803L);
        Verdict v = Verdict.of(r, WhatIf.NONE);
        // the zone split is unknown, so out_of_memory runs directly on RAM − reserved + swap
        assertThat(v.primary().rebuild().unsizedZones()).isTrue();
        assertThat(v.primary().path()).containsExactly("unsized-zones:out_of_memory");
        assertThat(v.primary().totalpages()).isEqualTo(262044L - 10253L + 497976L / 4);
        // resvtest: 191159 + 119808 + 619 + 4 = 311590 -> 828; as root with CAP_SYS_ADMIN 302243 -> 803 (printed)
        assertThat(v.primary().victim()).isEqualTo(4342);
        assertThat(v.primary().score()).isEqualTo(828L);
        assertThat(v.alternate().score()).isEqualTo(803L);
        assertThat(v.capabilityDecides()).isTrue();
        assertThat(v.matchesKernel()).isTrue();
        assertThat(v.primary().rebuild().notes()).anyMatch(n -> n.startsWith("zone sizes not printed: RAM − reserved "
                + "= 251791 pages split as Node 0 DMA 979, Node 0 DMA32 250812"));
        assertThat(v.watermarks()).hasSize(2);
    }

    @Test
    void cpusetConstrainedReportWithoutTaskTableParsesAndNamesWhatTheRebuildLacks() {
        ParsedReport r = Reports.only("fengtang-5.8-x86_64-cpuset-movable-node.txt");
        assertThat(r.header().comm()).isEqualTo("runc:[2:INIT]");
        assertThat(r.header().gfpDecoded()).isEqualTo("GFP_HIGHUSER|__GFP_ACCOUNT");
        assertThat(r.requester().pid()).isEqualTo(8291);
        assertThat(r.summary().constraint()).isEqualTo("CONSTRAINT_CPUSET");
        assertThat(r.summary().memsAllowed()).isEqualTo("4");
        assertThat(r.zones()).extracting(z -> z.node() + ":" + z.zone()).containsExactly("4:Movable");
        assertThat(r.buddies().get(0).orders().get(10).count()).isEqualTo(31743L);
        assertThat(r.kills()).extracting(ParsedReport.KillLine::kind).containsExactly(
                ParsedReport.KillLine.Kind.KILLED_PROCESS, ParsedReport.KillLine.Kind.REAPED,
                ParsedReport.KillLine.Kind.REAPED, ParsedReport.KillLine.Kind.REAPED,
                ParsedReport.KillLine.Kind.REAPED, ParsedReport.KillLine.Kind.REAPED);
        assertThat(r.unrecognised()).isEmpty();
        assertThat(r.kernelVictim()).isEqualTo(4100);
        assertThat(r.kills().get(0).comm()).isEqualTo("containerd");
        assertThat(r.kernelScore()).isNull();
        assertThatThrownBy(() -> Verdict.of(r, WhatIf.NONE)).isInstanceOf(Rebuild.IncompleteReportException.class)
                .hasMessage("report at line 1 lacks pages RAM / pages reserved lines; task table header "
                        + "([ pid ] uid tgid total_vm rss …)");
    }

    @Test
    void localisedDmesgTFragmentGivesTheKernelsVictimAndNamesEverythingTheRebuildLacks() {
        ParsedReport r = Reports.only("stardust-rpi5-arm64-dmesg-T-ja-fragment.txt");
        assertThat(r.header().comm()).isEqualTo("systemd");
        assertThat(r.header().gfpDecoded()).isEqualTo("GFP_HIGHUSER_MOVABLE|__GFP_COMP");
        assertThat(r.tableColumns()).contains("rss_anon", "pgtables_bytes");
        assertThat(r.summary().memsAllowed()).isEqualTo("0-7");
        assertThat(r.unrecognised()).isEmpty();
        assertThat(r.kernelVictim()).isEqualTo(1888);
        assertThat(r.kills().get(0).comm()).isEqualTo("astar-collator");
        assertThat(r.kernelScore()).isNull();
        assertThat(r.missing()).containsExactly("per-zone lines (Mem-Info: Node N ZONE free:… min:…)",
                "pages RAM / pages reserved lines", "task table rows");
    }

    @Test
    void pageFaultOomOf52WithGigabytesFreeKillsXorgAsTheKernelDid() {
        ReportParser.Result result = ReportParser.parse(Reports.lines("lindroth-5.2-x86_64-kmem-pagefault.txt"));
        assertThat(result.reports()).hasSize(1);
        assertThat(result.linesOutsideReports()).isEqualTo(2); // the perf lines before and after
        ParsedReport r = result.reports().get(0);
        assertThat(r.firstLine()).isEqualTo(2);
        assertThat(r.header().gfpMask()).isZero();
        assertThat(r.zones().get(2).freeKb()).isEqualTo(5661040L);
        assertThat(r.tasks()).hasSize(68);
        assertThat(r.unrecognised()).isEmpty();
        assertThat(r.kills()).extracting(ParsedReport.KillLine::kind).containsExactly(
                ParsedReport.KillLine.Kind.KILLED_PROCESS, ParsedReport.KillLine.Kind.REAPED);
        assertThat(r.kernelVictim()).isEqualTo(2782);
        assertThat(r.kills().get(0).comm()).isEqualTo("Xorg");
        assertThat(r.kernelScore()).isNull();
        Verdict v = Verdict.of(r, WhatIf.NONE);
        assertThat(Era.of(r)).isEqualTo(Era.MODERN);
        assertThat(v.primary().path()).containsExactly("pagefault:out_of_memory");
        assertThat(v.primary().totalpages()).isEqualTo(2097020L - 52825L + 688124L / 4);
        // Xorg: 9503 rss + 368640 / 4096 = 90 page-table pages; system-config-p is next with 8092 + 124
        assertThat(v.primary().victim()).isEqualTo(2782);
        assertThat(v.primary().outcome().chosen().pointsText()).isEqualTo("9593");
        assertThat(v.candidates(v.primary(), 2)).extracting(c -> c.get("pid")).containsExactly(2782, 3181);
        // DMA32 is 99.9% free in blocks of order 10: the model's hole-less zone cannot lay them out aligned
        assertThat(v.primary().rebuild().notes()).anyMatch(n -> n.startsWith("Node 0 DMA32: the buddy line's free "
                + "blocks do not fit the model's zone"));
        assertThat(v.matchesKernel()).isTrue();
    }
}
