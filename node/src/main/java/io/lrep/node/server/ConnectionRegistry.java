package io.lrep.node.server;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.node.sql.SessionContext;
import io.lrep.node.sql.SqlSession;
import io.lrep.node.sql.catalog.ActivitySource;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's client connections, as PostgreSQL's proc array knows its backends: each has a
 * process id from a per-node counter and a random secret key (BackendKeyData), counts against
 * {@code max_connections} (walsenders against {@code max_wal_senders}) and its role's
 * {@code rolconnlimit}, and can be cancelled by a CancelRequest carrying both.
 * Thread-safe: connections register and leave on their own threads, cancels arrive on others.
 */
public final class ConnectionRegistry {

    /** PostgreSQL-like process ids start here. */
    public static final int FIRST_PID = 10_000;

    /** One registered connection. */
    public static final class Backend {
        private final int pid;
        private final int secretKey;
        private final boolean walsender;
        private long roleOid = -1;
        private volatile SqlSession session;
        // What pg_stat_activity shows; written by the connection's own thread, read by any.
        private final Instant backendStart = Instant.now();
        private volatile SessionContext context;
        private volatile String state = "starting";
        private volatile String query = "";
        private volatile Instant queryStart;
        private volatile Instant transactionStart;
        private volatile Instant stateChange = backendStart;
        // What a walsender sent, counted by the connection's own thread (for metrics).
        final LongAdder messagesSent = new LongAdder();
        final LongAdder bytesSent = new LongAdder();

        Backend(int pid, int secretKey, boolean walsender) {
            this.pid = pid;
            this.secretKey = secretKey;
            this.walsender = walsender;
        }

        public int pid() {
            return pid;
        }

        public int secretKey() {
            return secretKey;
        }

        public boolean walsender() {
            return walsender;
        }

        void session(SqlSession s, SessionContext ctx) {
            this.session = s;
            this.context = ctx;
        }

        /** A statement starts running. */
        void active(String text) {
            Instant now = Instant.now();
            if (transactionStart == null) {
                transactionStart = now;
            }
            query = text;
            queryStart = now;
            state = "active";
            stateChange = now;
        }

        /** Back at ReadyForQuery with this transaction status ('I', 'T' or 'E'). */
        void ready(char transactionStatus) {
            state = switch (transactionStatus) {
                case 'T' -> "idle in transaction";
                case 'E' -> "idle in transaction (aborted)";
                default -> "idle";
            };
            if (transactionStatus == 'I') {
                transactionStart = null;
            }
            stateChange = Instant.now();
        }

        String applicationName() {
            SessionContext c = context;
            return c == null ? "" : c.startupSettings().getOrDefault("application_name", "");
        }

        ActivitySource.Activity activity() {
            SessionContext c = context;
            return new ActivitySource.Activity(pid, c == null ? null : c.database(), c == null ? null : c.user(),
                    c == null ? "" : c.startupSettings().getOrDefault("application_name", ""), c == null ? null : c.clientAddress(),
                    state, query, backendStart, transactionStart, queryStart, stateChange,
                    walsender ? "walsender" : "client backend");
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<Integer, Backend> backends = new HashMap<>();
    private int nextPid;
    private final ProtocolStats stats = new ProtocolStats();
    /** Messages and bytes sent by walsenders that are gone, by application_name. */
    private final Map<String, long[]> departedWalSenders = new HashMap<>();

    /** What walsenders sent, by application_name: messages and bytes. */
    public record WalSenderTraffic(long messages, long bytes) {}

    public ConnectionRegistry() {
        this(FIRST_PID);
    }

    public ConnectionRegistry(int firstPid) {
        this.nextPid = firstPid;
    }

    /**
     * Admits a new connection, or throws FATAL 53300 when {@code limit} connections of its kind
     * (walsender or not) are open already.
     */
    public synchronized Backend admit(boolean walsender, int limit) {
        long open = backends.values().stream().filter(b -> b.walsender == walsender).count();
        if (open >= limit) {
            throw new LrepException(SqlState.TOO_MANY_CONNECTIONS, LrepException.Severity.FATAL,
                    walsender ? "number of requested standby connections exceeds max_wal_senders (currently " + limit + ")"
                            : "sorry, too many clients already", null, null, null);
        }
        int pid;
        do {
            pid = nextPid++;
            if (nextPid < 0) {
                nextPid = FIRST_PID;
            }
        } while (backends.containsKey(pid));
        Backend b = new Backend(pid, random.nextInt(), walsender);
        backends.put(pid, b);
        stats.onConnection();
        return b;
    }

    /**
     * Records the authenticated role of {@code backend}, or throws FATAL 53300 when the role
     * has {@code connectionLimit} (&ge; 0) connections already; superusers are exempt, as in
     * PostgreSQL.
     */
    public synchronized void assignRole(Backend backend, Role role) {
        if (role.connectionLimit() >= 0 && !role.superuser()) {
            long open = backends.values().stream().filter(b -> b != backend && b.roleOid == role.oid()).count();
            if (open >= role.connectionLimit()) {
                throw new LrepException(SqlState.TOO_MANY_CONNECTIONS, LrepException.Severity.FATAL,
                        "too many connections for role \"" + role.name() + "\"", null, null, null);
            }
        }
        backend.roleOid = role.oid();
    }

    /** The connection is gone. Idempotent. */
    public synchronized void release(Backend backend) {
        if (backends.remove(backend.pid, backend) && backend.walsender) {
            long[] t = departedWalSenders.computeIfAbsent(backend.applicationName(), k -> new long[2]);
            t[0] += backend.messagesSent.sum();
            t[1] += backend.bytesSent.sum();
        }
    }

    /** The protocol counters (connections, authentication failures, errors). */
    public ProtocolStats stats() {
        return stats;
    }

    /** What walsenders sent since the node started, by application_name (live and gone ones). */
    public synchronized Map<String, WalSenderTraffic> walSenderTraffic() {
        Map<String, long[]> sums = new HashMap<>();
        departedWalSenders.forEach((k, v) -> sums.put(k, v.clone()));
        for (Backend b : backends.values()) {
            if (b.walsender) {
                long[] t = sums.computeIfAbsent(b.applicationName(), k -> new long[2]);
                t[0] += b.messagesSent.sum();
                t[1] += b.bytesSent.sum();
            }
        }
        Map<String, WalSenderTraffic> out = new HashMap<>();
        sums.forEach((k, v) -> out.put(k, new WalSenderTraffic(v[0], v[1])));
        return out;
    }

    /** The application_name of the session with this pid, or null. */
    public synchronized String applicationName(int pid) {
        Backend b = backends.get(pid);
        return b == null ? null : b.applicationName();
    }

    /**
     * A CancelRequest: cancels the running statement of the backend with this pid if the key
     * matches. Returns whether it did; a wrong key is ignored, as PostgreSQL does.
     */
    public boolean cancel(int pid, int secretKey) {
        Backend b;
        synchronized (this) {
            b = backends.get(pid);
        }
        if (b == null || b.secretKey != secretKey) {
            return false;
        }
        SqlSession s = b.session;
        if (s == null) {
            return false;
        }
        s.cancel();
        return true;
    }

    /** What pg_stat_activity shows of every connection that has started a session. */
    public synchronized List<ActivitySource.Activity> activities() {
        List<ActivitySource.Activity> out = new ArrayList<>();
        for (Backend b : backends.values()) {
            if (b.context != null) {
                out.add(b.activity());
            }
        }
        out.sort(Comparator.comparingInt(ActivitySource.Activity::pid));
        return out;
    }

    /** The number of open connections. */
    public synchronized int size() {
        return backends.size();
    }

    /** The pids of open connections. */
    public synchronized List<Integer> pids() {
        return new ArrayList<>(backends.keySet());
    }
}
