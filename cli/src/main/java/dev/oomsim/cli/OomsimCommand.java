package dev.oomsim.cli;

import dev.oomsim.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code oomsim} command: what will the OOM killer do to this workload on that machine? */
@Command(name = "oomsim",
        mixinStandardHelpOptions = true,
        versionProvider = OomsimCommand.Version.class,
        description = "Simulates Linux node memory and its OOM killer: offline on a scenario file, or distributed over Kafka.",
        subcommands = {SimulateCommand.class, ExplainCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class OomsimCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. oomsim simulate scenarios/2-nodes-global-kill.yaml");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also what tests drive). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new OomsimCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("oomsim: " + e.getMessage());
            return ExitCodes.SOFTWARE;
        });
        return cl;
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = OomsimCommand.class.getPackage().getImplementationVersion();
            return new String[] {"oomsim " + (v == null ? "(development build)" : v)};
        }
    }
}
