package dev.oomsim.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.oomsim.report.Explanation;
import dev.oomsim.report.Rebuild;
import dev.oomsim.report.Verdict;
import dev.oomsim.report.WhatIf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code oomsim explain FILE}: a real kernel OOM report rebuilt on the model, checked and explained (docs/cli.md). */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Reads kernel OOM reports (dmesg, dmesg -T, journalctl -k, syslog), rebuilds each decision on "
                + "the",
                "kernel model, says whether the model reaches the kernel's victim and score, and explains it.",
                "Exit status 0 when every report matches, 1 when one does not, 2 for unreadable or incomplete input."})
final class ExplainCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Log text holding one or more OOM reports.")
    Path file;

    @Option(names = "--json", description = "Print one JSON object per report.")
    boolean json;

    @Option(names = "--emit-scenario", paramLabel = "FILE",
            description = "Write the rebuilt scenario (YAML) of the first report, for oomsim simulate.")
    Path emitScenario;

    @Option(names = "--set", paramLabel = "PID.oom_score_adj=N", description = "What if: that task's oom_score_adj.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--kill", paramLabel = "PID", description = "What if: that task was not there.")
    List<Integer> kills = new ArrayList<>();

    @Option(names = "--profile", paramLabel = "seed|modern", description = "What if: decide with this model profile.")
    String profile;

    @Option(names = "--add-swap", paramLabel = "PAGES", description = "What if: this much more swap.")
    long addSwapPages;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        WhatIf change;
        try {
            Map<Integer, Integer> adj;
            try {
                adj = WhatIf.adjustments(sets);
            } catch (IllegalArgumentException e) {
                err.println("oomsim explain: --set " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            change = new WhatIf(adj, kills, profile, addSwapPages);
        } catch (IllegalArgumentException e) {
            err.println("oomsim explain: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("oomsim explain: " + file + ": cannot read: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        Explanation explanation = Explanation.of(lines, change);
        if (explanation.items().isEmpty()) {
            err.println("oomsim explain: " + file + ": no OOM report (no 'invoked oom-killer' line in "
                    + explanation.lines() + " lines)");
            return ExitCodes.BAD_INPUT;
        }
        int status = ExitCodes.OK;
        boolean first = true;
        for (Explanation.Item item : explanation.items()) {
            if (item.error() != null) {
                err.println("oomsim explain: " + file + ": " + item.error());
                status = ExitCodes.BAD_INPUT;
                first = false;
                continue;
            }
            if (first && emitScenario != null) {
                Verdict emitted = item.changed() == null ? item.original() : item.changed();
                writeScenario(emitted);
                Rebuild rb = emitted.primary().rebuild();
                if (rb.memcg() != null || rb.direct()) {
                    err.println("oomsim explain: note: " + emitScenario + " replays the report's request as an "
                            + "allocation; the kernel's decision here was " + (rb.memcg() != null
                                    ? "mem_cgroup_out_of_memory on " + rb.memcg()
                                    : "out_of_memory called directly (" + (rb.sysrq() ? "sysrq"
                                            : rb.pagefault() ? "page fault" : "zone sizes not printed") + ")")
                            + ", which simulate does not replay");
                }
            }
            if (!item.original().matchesKernel()) {
                status = Math.max(status, 1);
            }
            if (json) {
                out.println(JSON.writeValueAsString(item.toTree()));
            } else {
                out.print(item.render());
                out.println();
            }
            first = false;
        }
        if (!json) {
            out.println(explanation.items().size() + " report(s), " + explanation.lines() + " lines, "
                    + explanation.linesOutsideReports() + " outside any report");
        }
        out.flush();
        return status;
    }

    private void writeScenario(Verdict v) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
        String header = "# Rebuilt by oomsim explain from " + file.getFileName() + " (report at line "
                + v.report().firstLine() + ")\n";
        Files.writeString(emitScenario, header + yaml.writeValueAsString(v.primary().rebuild().tree()),
                StandardCharsets.UTF_8);
    }
}
