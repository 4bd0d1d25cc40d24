package io.lrep.node.cli;

import io.lrep.core.error.LrepException;
import io.lrep.node.Node;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code lrep} command line. */
@Command(name = "lrep", mixinStandardHelpOptions = true, version = "lrep 0.1.0",
        description = "A logical-replication publish/subscribe engine that speaks PostgreSQL's protocols.",
        subcommands = {Lrep.Init.class, Lrep.Start.class, DemoCommand.class})
public final class Lrep implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with lrep's error handling: an LrepException prints as PostgreSQL prints errors. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Lrep());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof LrepException le) {
                line.getErr().println("lrep: error: " + le.getMessage() + " (SQLSTATE " + le.sqlState().code() + ")");
                if (le.detail() != null) {
                    line.getErr().println("DETAIL:  " + le.detail());
                }
                if (le.hint() != null) {
                    line.getErr().println("HINT:  " + le.hint());
                }
                return 1;
            }
            throw e;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options every node command takes. */
    static class NodeOptions {
        @Option(names = {"-D", "--pgdata"}, required = true, description = "Data directory.")
        Path dataDir;

        @Option(names = "-c", paramLabel = "name=value", description = "Set a configuration parameter (overrides lrep.conf).")
        Map<String, String> settings = new LinkedHashMap<>();
    }

    @Command(name = "init", description = "Create a new data directory (as initdb).")
    static final class Init implements Runnable {
        @CommandLine.Mixin
        NodeOptions options = new NodeOptions();

        @Override
        public void run() {
            Node.init(options.dataDir, options.settings);
            System.out.println("Success. Start the node with:  lrep start -D " + options.dataDir);
        }
    }

    @Command(name = "start", description = "Start a node in the foreground; Ctrl-C (SIGINT) or SIGTERM shuts it down cleanly.")
    static final class Start implements Runnable {
        @CommandLine.Mixin
        NodeOptions options = new NodeOptions();

        @Override
        public void run() {
            Node node = Node.start(options.dataDir, options.settings);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                stopped.countDown();
            }, "shutdown"));
            System.out.println("lrep node " + node.name() + " running in " + options.dataDir + "; press Ctrl-C to stop");
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
