package io.lrep.node.cli;

import io.lrep.core.storage.DataDirectory;
import io.lrep.subscriber.client.ConnInfo;
import io.lrep.subscriber.client.ReplicationClient;
import io.lrep.subscriber.client.ReplicationConnection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lrep status}: whether a node runs in a data directory (as pg_ctl status), and the
 * node's replication state and lag, read over SQL with lrep's own client (a normal session,
 * no replication=database). With {@code -D} alone it connects to the node running in that
 * directory (its port from the lock file) and exits 3 when none runs; with {@code -h/-p/-U} it
 * connects as psql does.
 */
@Command(name = "status", description = "Show whether a node is running (as pg_ctl status) and its replication state and lag: "
        + "role, WAL position, slots, walsenders, subscriptions. -D reads the port of the node running in a data directory; "
        + "-h/-p/-U connect as psql does.")
final class StatusCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-D", "--pgdata"}, description = "Data directory of a local node.")
    Path dataDir;

    @Option(names = {"-h", "--host"}, description = "Host of the node (default: 127.0.0.1).")
    String host;

    @Option(names = {"-p", "--port"}, description = "Port of the node (default: PGPORT or 5432; with -D alone: the running node's).")
    Integer port;

    @Option(names = {"-U", "--username"}, description = "User to connect as (default: PGUSER or the operating-system user).")
    String user;

    @Option(names = {"-d", "--dbname"}, description = "Database (default: ${DEFAULT-VALUE}).")
    String dbname = "postgres";

    @Option(names = {"-w", "--watch"}, description = "Refresh until Ctrl-C.")
    boolean watch;

    @Option(names = "--interval", description = "Seconds between refreshes with --watch (default: ${DEFAULT-VALUE}).")
    double intervalSeconds = 1;

    /** Stops --watch after this many refreshes (0: never); for tests. */
    @Option(names = "--count", hidden = true)
    int count;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        int connectPort;
        String connectHost = host != null ? host : "127.0.0.1";
        if (dataDir != null && host == null && port == null) {
            DataDirectory.LockInfo info = DataDirectory.readLock(dataDir);
            if (info == null || !ProcessHandle.of(info.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                out.println("lrep: no server running");
                out.flush();
                return Lrep.EXIT_NOT_RUNNING;
            }
            out.println("lrep: server is running (PID: " + info.pid() + (info.port() > 0 ? ", port " + info.port() : "") + ")");
            out.flush();
            if (info.port() <= 0) {
                return 0;
            }
            connectPort = info.port();
        } else {
            connectPort = port != null ? port : envPort();
        }
        String who = user != null ? user : System.getenv().getOrDefault("PGUSER", System.getProperty("user.name", "postgres"));
        ConnInfo conninfo = ConnInfo.empty().with("host", connectHost).with("port", Integer.toString(connectPort)).with("user", who)
                .with("dbname", dbname).with("application_name", "lrep status").with("connect_timeout", "10");
        String password = System.getenv("PGPASSWORD");
        if (password != null) {
            conninfo = conninfo.with("password", password);
        }
        boolean terminal = System.console() != null;
        try (ReplicationClient client = new ReplicationClient(1); ReplicationConnection conn = client.connect(conninfo)) {
            for (int n = 1; ; n++) {
                NodeStatus status = NodeStatus.read(conn, connectHost);
                if (watch && terminal) {
                    out.print("\033[H\033[2J"); // home and clear screen
                }
                status.print(out);
                out.flush();
                if (!watch || (count > 0 && n >= count)) {
                    return 0;
                }
                if (!terminal) {
                    out.println();
                }
                Thread.sleep(Math.max(100, (long) (intervalSeconds * 1000)));
            }
        }
    }

    private static int envPort() {
        String env = System.getenv("PGPORT");
        return env != null && !env.isBlank() ? Integer.parseInt(env.trim()) : ConnInfo.DEFAULT_PORT;
    }
}
