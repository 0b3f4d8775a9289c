package dev.oomsim.cli;

import static dev.oomsim.cli.SimulateCommandTest.oomsim;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.oomsim.cli.SimulateCommandTest.Result;
import dev.oomsim.schemas.PressureView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every subcommand shares: help with examples, exit 2 with a message naming the fix for bad usage. */
class CliConventionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"demo", "up", "load", "kills", "pressure"})
    void everySubcommandsHelpHasExamples(String command) {
        Result r = oomsim(command, "--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Examples:").contains("  oomsim " + command).contains("Exit status:");
    }

    @Test
    void killsWithNeitherStartNorFollowSaysWhatToAdd() {
        Result r = oomsim("kills");

        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("oomsim kills: nothing to print: add --from-beginning").contains("--follow");
    }

    @Test
    void anUnknownFormatIsBadUsage() {
        Result r = oomsim("kills", "--from-beginning", "--format", "xml");

        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--format").contains("xml");
    }

    @Test
    void upRefusesOptionsThatDoNotGoTogether() {
        assertThat(oomsim("up", "--dir", "x", "--bootstrap", "h:9092").err())
                .contains("--dir keeps the embedded broker's data: it does not go with --bootstrap");
        assertThat(oomsim("up", "--replication-factor", "3").err())
                .contains("--replication-factor 3 needs --bootstrap");
        Result badNodes = oomsim("up", "--nodes", "0");
        assertThat(badNodes.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badNodes.err()).contains("--nodes must be 1..64, not 0");
        Result mismatch = oomsim("up", "--nodes", "3", "--machine", "../scenarios/2-nodes-global-kill.yaml");
        assertThat(mismatch.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(mismatch.err()).contains("--nodes 3 but ../scenarios/2-nodes-global-kill.yaml has 2 node(s)");
    }

    @Test
    void upNamesTheBadFieldOfAMachineFile() {
        Result r = oomsim("up", "--machine", "no-such-machine.yaml");

        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("no such scenario file: no-such-machine.yaml");
    }

    @Test
    void pressureRefusesAnIntervalOfZero() {
        Result r = oomsim("pressure", "--watch", "--interval", "0");

        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--interval must be more than 0");
    }

    @Test
    void thePlainMachineHasTheNodesAskedForAndOnlyInit() {
        var machine = Machines.plain(4);

        assertThat(machine.nodes()).hasSize(4);
        assertThat(machine.tasks()).singleElement().satisfies(t -> assertThat(t.pid()).isEqualTo(1));
        assertThat(machine.events()).isEmpty();
    }

    @Test
    void theProgressBarDrawsOnlyWhenEnabled() {
        var text = new java.io.StringWriter();
        ProgressBar off = new ProgressBar(new java.io.PrintWriter(text), false);
        off.show("agents live", 1, 4);
        off.erase();
        assertThat(text.toString()).isEmpty();

        ProgressBar on = new ProgressBar(new java.io.PrintWriter(text), true);
        on.show("agents live", 1, 4);
        assertThat(text.toString()).isEqualTo("[#######.......................]  25% agents live");
        on.erase();
        assertThat(text.toString()).endsWith("\r" + " ".repeat(49) + "\r");
    }

    @Test
    void thePressureTableListsNodesByIdAndTheClusterLast() {
        PressureView cluster = PressureView.newBuilder().setScope("cluster").setManagedPages(3000).setFreePages(300)
                .setRequests(90).setFailedAllocations(2).setMayOomCalls(3).setKills(2).setLastVictimPid(103)
                .setLastVictimComm("leak").setUpdatedAtMs(1).build();
        PressureView node10 = PressureView.newBuilder(cluster).setScope("node-10").setManagedPages(1000)
                .setFreePages(100).setKills(1).build();
        PressureView node2 = PressureView.newBuilder(cluster).setScope("node-2").setManagedPages(2000)
                .setFreePages(200).setKills(1).setLastVictimPid(null).setLastVictimComm(null).build();

        List<String> lines = PressureTable.render(List.of(cluster, node10, node2)).lines().toList();

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("scope").contains("free%").endsWith("last victim");
        assertThat(lines.get(1)).startsWith("node-2 ").contains(" 10.0% ").endsWith("  -");
        assertThat(lines.get(2)).startsWith("node-10 ");
        assertThat(lines.get(3)).startsWith("cluster ").contains(" 10.0% ").endsWith("103 (leak)");
        assertThat(PressureTable.render(List.of())).startsWith("no pressure views yet");
    }
}
