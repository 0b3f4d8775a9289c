package dev.oomsim.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.KernelLog;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.oom.OomControl;
import dev.oomsim.kernel.oom.OomKiller;
import dev.oomsim.kernel.oom.OomOutcome;
import dev.oomsim.kernel.oom.OomReport;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Task;

/**
 * The model's decision on a rebuilt report: what {@code __alloc_pages_may_oom} (or, for a sysrq-forced OOM,
 * {@code out_of_memory}) did on the rebuilt machine, and every task's {@code oom_badness} there.
 *
 * @param rebuild     what ran
 * @param outcome     the last out_of_memory call, null when it never ran
 * @param path        the may_oom path tokens
 * @param log         the kernel lines the model printed
 * @param candidates  the best candidates select_bad_process saw, best first
 * @param badness     every task's points by pid, in table order (seed: unsigned, as the kernel's unsigned long)
 * @param totalpages  the totalpages the points were scaled with
 */
public record Decision(Rebuild rebuild, OomOutcome outcome, List<String> path, List<String> log,
        List<OomReport.Candidate> candidates, Map<Integer, Long> badness, long totalpages) {

    /** Copies. */
    public Decision {
        path = List.copyOf(path);
        log = List.copyOf(log);
        candidates = List.copyOf(candidates);
        badness = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(badness));
    }

    /** Runs {@code rebuild} through the kernel model. */
    public static Decision run(Rebuild rebuild) {
        Scenario scenario = ScenarioParser.parse(rebuild.tree());
        ScenarioRunner runner = new ScenarioRunner(scenario);
        List<OomReport> reports = new ArrayList<>();
        runner.oomKiller().setObserver(reports::add);
        Task current = runner.machine().tasks().get(rebuild.requesterPid());
        long totalpages = runner.machine().totalramPages() + runner.machine().totalSwapPages();
        Map<Integer, Long> badness = badness(runner, current, totalpages);
        OomOutcome outcome;
        List<String> path;
        List<String> log;
        if (rebuild.memcg() != null) {
            KernelLog kl = new KernelLog();
            Scenario.MayOomEvent e = (Scenario.MayOomEvent) scenario.events().get(0);
            outcome = runner.oomKiller().memcgOutOfMemory(current, runner.machine().memcg(rebuild.memcg()), e.gfp(),
                    e.order(), kl);
            path = List.of("memcg:mem_cgroup_out_of_memory");
            log = kl.lines();
        } else if (rebuild.direct()) {
            KernelLog kl = new KernelLog();
            Scenario.MayOomEvent e = (Scenario.MayOomEvent) scenario.events().get(0);
            outcome = runner.oomKiller().outOfMemory(new OomControl(null, null, e.gfp(), 0, null), current, kl);
            path = List.of(rebuild.sysrq() ? "sysrq:out_of_memory"
                    : rebuild.pagefault() ? "pagefault:out_of_memory" : "unsized-zones:out_of_memory");
            log = kl.lines();
        } else {
            EventResult.Alloc r = (EventResult.Alloc) runner.runEvent(0, scenario.events().get(0));
            outcome = r.oomCalls().isEmpty() ? null : r.oomCalls().get(r.oomCalls().size() - 1);
            path = r.path();
            log = r.log();
        }
        if (outcome != null && outcome.totalpages() != null && outcome.totalpages() != totalpages) {
            ScenarioRunner again = new ScenarioRunner(ScenarioParser.parse(rebuild.tree()));
            totalpages = outcome.totalpages();
            badness = badness(again, again.machine().tasks().get(rebuild.requesterPid()), totalpages);
        }
        List<OomReport.Candidate> candidates = reports.isEmpty() ? List.of()
                : reports.get(reports.size() - 1).candidates();
        return new Decision(rebuild, outcome, path, log, candidates, badness, totalpages);
    }

    private static Map<Integer, Long> badness(ScenarioRunner runner, Task current, long totalpages) {
        OomKiller killer = runner.oomKiller();
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (Task t : runner.machine().tasks().all()) {
            out.put(t.pid(), killer.oomBadness(t, null, null, totalpages, current));
        }
        return out;
    }

    /** The pid the model chose, or null. */
    public Integer victim() {
        return outcome == null || outcome.chosen() == null ? null : outcome.chosen().pid();
    }

    /** The score the model would print for its choice ({@code points * 1000 / totalpages}), or null. */
    public Long score() {
        return outcome == null || outcome.chosen() == null ? null : outcome.chosen().score();
    }

    /** The gfp the event ran with, as the model read it. */
    static GfpFlags gfp(Rebuild r) {
        return ((Scenario.MayOomEvent) ScenarioParser.parse(r.tree()).events().get(0)).gfp();
    }
}
