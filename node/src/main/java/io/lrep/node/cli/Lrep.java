package io.lrep.node.cli;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.auth.ScramSha256;
import io.lrep.core.storage.DataDirectory;
import io.lrep.node.Node;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code lrep} command line: initdb, pg_ctl and the demo in one tool. */
@Command(name = "lrep", mixinStandardHelpOptions = true, version = "lrep 0.1.0",
        description = "A logical-replication publish/subscribe engine that speaks PostgreSQL's protocols.",
        subcommands = {Lrep.Init.class, Lrep.Start.class, Lrep.Stop.class, StatusCommand.class, DemoCommand.class})
public final class Lrep implements Runnable {

    /** pg_ctl's exit code for "no server running". */
    static final int EXIT_NOT_RUNNING = 3;

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

    /** The data directory option every command takes. */
    static class DataDirOption {
        @Option(names = {"-D", "--pgdata"}, required = true, description = "Data directory.")
        Path dataDir;
    }

    @Command(name = "init", description = "Create a new data directory (as initdb).")
    static final class Init implements Callable<Integer> {
        @CommandLine.Mixin
        DataDirOption dir = new DataDirOption();

        @Option(names = {"-U", "--username"}, description = "Name of the superuser (default: the operating-system user).")
        String user = System.getProperty("user.name", "postgres");

        @Option(names = {"-A", "--auth"}, description = "Authentication method for loopback connections in hba.conf: trust, "
                + "password, md5 or scram-sha-256 (default: ${DEFAULT-VALUE}).")
        String auth = "trust";

        @Option(names = "--pwfile", description = "Read the superuser's password from the first line of this file.")
        Path pwfile;

        @Option(names = "-c", paramLabel = "name=value", description = "Set a configuration parameter in lrep.conf.")
        Map<String, String> settings = new LinkedHashMap<>();

        @Override
        public Integer call() throws IOException {
            if (!List.of("trust", "password", "md5", "scram-sha-256", "reject").contains(auth)) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "invalid authentication method \"" + auth + "\"")
                        .withHint("Use one of trust, password, md5, scram-sha-256.");
            }
            String verifier = null;
            if (pwfile != null) {
                List<String> lines = Files.readAllLines(pwfile, StandardCharsets.UTF_8);
                if (lines.isEmpty() || lines.get(0).isEmpty()) {
                    throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "password file \"" + pwfile + "\" is empty");
                }
                verifier = ScramSha256.createVerifier(lines.get(0));
            } else if (!auth.equals("trust")) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                        "must specify a password for the superuser to enable " + auth + " authentication")
                        .withHint("Use --pwfile.");
            }
            if (auth.equals("trust")) {
                System.err.println("lrep: warning: enabling \"trust\" authentication for local connections");
                System.err.println("You can change this by editing hba.conf or using the option -A, or --auth, the next time you run lrep init.");
            }
            Node.init(dir.dataDir, settings, user, auth, verifier);
            System.out.println("Success. You can now start the node using:\n\n    lrep start -D " + dir.dataDir + "\n");
            return 0;
        }
    }

    @Command(name = "start", description = "Start a node: in the foreground (Ctrl-C or SIGTERM shuts it down cleanly), "
            + "or with --background as a separate process with a log file.")
    static final class Start implements Callable<Integer> {
        @CommandLine.Mixin
        DataDirOption dir = new DataDirOption();

        @Option(names = {"-p", "--port"}, description = "TCP port (overrides lrep.conf).")
        Integer port;

        @Option(names = "-c", paramLabel = "name=value", description = "Set a configuration parameter (overrides lrep.conf).")
        Map<String, String> settings = new LinkedHashMap<>();

        @Option(names = "--background", description = "Start in the background and wait until the node is ready.")
        boolean background;

        @Option(names = {"-l", "--log"}, description = "Log file for --background (default: DATADIR/log/lrep.log).")
        Path logFile;

        @Option(names = {"-t", "--timeout"}, description = "Seconds to wait for --background start-up (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds = 60;

        @Override
        public Integer call() throws Exception {
            Map<String, String> overrides = new LinkedHashMap<>(settings);
            if (port != null) {
                overrides.put("port", port.toString());
            }
            return background ? startInBackground(overrides) : runInForeground(overrides);
        }

        private int runInForeground(Map<String, String> overrides) throws InterruptedException {
            Node node = Node.start(dir.dataDir, overrides);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                stopped.countDown();
            }, "shutdown"));
            System.out.println("lrep node " + node.name() + " ready in " + dir.dataDir + node.listenDescription());
            stopped.await();
            return 0;
        }

        private int startInBackground(Map<String, String> overrides) throws IOException, InterruptedException {
            DataDirectory.LockInfo running = DataDirectory.readLock(dir.dataDir);
            if (running != null) {
                throw new LrepException(SqlState.LOCK_FILE_EXISTS, "another node might be running (PID " + running.pid() + ")")
                        .withHint("Stop it with \"lrep stop -D " + dir.dataDir + "\".");
            }
            Path log = logFile != null ? logFile : dir.dataDir.resolve("log").resolve("lrep.log");
            Files.createDirectories(log.toAbsolutePath().getParent());
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments()); // the same JVM options (GC, heap)
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Lrep.class.getName());
            command.add("start");
            command.add("-D");
            command.add(dir.dataDir.toString());
            overrides.forEach((k, v) -> {
                command.add("-c");
                command.add(k + "=" + v);
            });
            Process child = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            System.out.print("waiting for server to start...");
            long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            while (System.nanoTime() < deadline) {
                DataDirectory.LockInfo info = DataDirectory.readLock(dir.dataDir);
                if (info != null && info.ready() && info.pid() == child.pid()) {
                    System.out.println(" done\nserver started (PID " + child.pid() + ", port " + info.port() + ")");
                    return 0;
                }
                if (!child.isAlive()) {
                    System.out.println(" stopped waiting");
                    System.err.println("lrep: could not start server; examine the log file \"" + log + "\"");
                    return 1;
                }
                Thread.sleep(50);
            }
            System.out.println(" stopped waiting");
            System.err.println("lrep: server did not start in time; examine the log file \"" + log + "\"");
            return 1;
        }
    }

    @Command(name = "stop", description = "Stop a running node (as pg_ctl stop).")
    static final class Stop implements Callable<Integer> {
        @CommandLine.Mixin
        DataDirOption dir = new DataDirOption();

        @Option(names = {"-m", "--mode"}, description = "smart or fast: clean shutdown with a checkpoint; immediate: stop at "
                + "once, recovery runs at the next start (default: ${DEFAULT-VALUE}).")
        String mode = "fast";

        @Option(names = {"-t", "--timeout"}, description = "Seconds to wait (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds = 60;

        @Override
        public Integer call() throws InterruptedException {
            if (!List.of("smart", "fast", "immediate").contains(mode)) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "unrecognized shutdown mode \"" + mode + "\"");
            }
            DataDirectory.LockInfo info = DataDirectory.readLock(dir.dataDir);
            Optional<ProcessHandle> process = info == null ? Optional.empty() : ProcessHandle.of(info.pid());
            if (process.isEmpty() || !process.get().isAlive()) {
                System.err.println("lrep: no server running (is the data directory \"" + dir.dataDir + "\" in use?)");
                return EXIT_NOT_RUNNING;
            }
            ProcessHandle handle = process.get();
            if (mode.equals("immediate")) {
                handle.destroyForcibly(); // SIGKILL: no shutdown checkpoint
            } else {
                handle.destroy(); // SIGTERM: the shutdown hook closes the node cleanly
            }
            System.out.print("waiting for server to shut down...");
            long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            while (handle.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (handle.isAlive()) {
                System.out.println(" failed");
                System.err.println("lrep: server does not shut down");
                return 1;
            }
            System.out.println(" done\nserver stopped");
            return 0;
        }
    }
}
