package dev.oomsim.cli;

import dev.oomsim.bench.BenchCommand;
import dev.oomsim.kernel.scenario.ScenarioException;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code oomsim} command: what will the OOM killer do to this workload on that machine? */
@Command(name = "oomsim",
        mixinStandardHelpOptions = true,
        versionProvider = OomsimCommand.Version.class,
        description = "Simulates Linux node memory and its OOM killer: offline on a scenario file, or distributed "
        + "over Kafka.",
        footerHeading = "%nExamples:%n",
        footer = {"  oomsim demo              # a 4-node machine leaks until the OOM killer acts",
                "  oomsim up --nodes 4       # the stack until Ctrl-C, Kafka on 127.0.0.1:9092",
                "  oomsim load --replay kmem.trace.gz --dry-run --json   # a kernel trace, parsed",
                "  oomsim kills --follow     # its kills as the kernel logs them",
                "  oomsim pressure --watch   # its memory pressure, node by node",
                "  oomsim simulate scenarios/2-nodes-global-kill.yaml",
                "",
                "Exit status: 0 success, 1 a runtime failure (the message says what to fix),",
                "2 bad usage or input, 130 stopped with Ctrl-C, 70 a bug."},
        subcommands = {DemoCommand.class, UpCommand.class, LoadCommand.class, KillsCommand.class,
                PressureCommand.class, SimulateCommand.class, ExplainCommand.class, BenchCommand.class,
                BrokerCommand.class, TopicsCommand.class, CommandLine.HelpCommand.class})
public final class OomsimCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. oomsim demo");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also what tests drive). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new OomsimCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String command = "oomsim " + commandLine.getCommandName() + ": ";
            if (commandLine.getCommand() instanceof OomsimCommand) {
                command = "oomsim: ";
            }
            int exit = exitCodeOf(e);
            commandLine.getErr().println(command + e.getMessage());
            if (exit == ExitCodes.USAGE) {
                commandLine.getErr().println("Try 'oomsim " + commandLine.getCommandName() + " --help' for examples.");
            }
            commandLine.getErr().flush();
            return exit;
        });
        return cl;
    }

    /** Bad usage or input: 2; a failure the user can fix (Kafka unreachable, a directory not writable): 1; bug: 70. */
    static int exitCodeOf(Exception e) {
        if (e instanceof UsageFailure || e instanceof ScenarioException) {
            return ExitCodes.USAGE;
        }
        if (e instanceof CommandFailure || e instanceof KafkaException) {
            return ExitCodes.RUNTIME_FAILURE;
        }
        return ExitCodes.SOFTWARE;
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
