package io.lrep.it;

import static io.lrep.it.Sql.execute;
import static io.lrep.it.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interop: an lrep node subscribes to a real PostgreSQL server ({@link PgServer}: initdb into a
 * temporary directory, scram-sha-256, wal_level = logical, a free loopback port). Every kind of
 * change made on PostgreSQL reaches the lrep tables, whose full contents then equal
 * PostgreSQL's; the monitoring views on both sides show the subscription, and DROP SUBSCRIPTION
 * drops PostgreSQL's slot. Skipped, saying so, without PostgreSQL's server programs.
 */
class PgSubscribeIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Map<String, String> SUB_SETTINGS = Map.of("wal_retrieve_retry_interval", "100",
            "wal_receiver_status_interval", "1");
    /** Small, so that a transaction of a few hundred kB is streamed in blocks before its commit. */
    private static final Map<String, String> PG_SETTINGS = Map.of("logical_decoding_work_mem", "'64kB'",
            "timezone", "'America/New_York'");

    /** The same tables on both sides: many column types, a key; and a keyless table with replica identity full. */
    private static final String[] TABLES = {
        "CREATE TABLE items (id int PRIMARY KEY, v text, amount numeric(12,2), flag bool, big bigint, at timestamptz,"
                + " d date, raw bytea, u uuid, doc jsonb, f float8, vc varchar(20), ints int[], tags text[], span interval,"
                + " small int2, r float4, bp char(4), js json, ts timestamp)",
        "CREATE TABLE log (n int, note text)",
    };

    private static final String ITEMS = "SELECT id, v, amount, flag, big, at, d, raw, u, doc, f, vc, ints, tags, span, small, r, bp,"
            + " js, ts FROM items ORDER BY id";
    private static final String LOG = "SELECT n, note, count(*) FROM log GROUP BY n, note ORDER BY n, note";

    /** Rows present before the subscription exists, as literals both servers read alike. */
    private static final String[] EXISTING = existingRows();

    private static String[] existingRows() {
        StringBuilder items = new StringBuilder("INSERT INTO items VALUES ");
        for (int g = 1; g <= 20; g++) {
            items.append(g > 1 ? ", " : "").append(String.format(java.util.Locale.ROOT,
                    "(%d, 'pre%d', %d.25, %b, %d, '2024-01-02 %02d:04:05.5+00', '2024-01-%02d', '\\x%04x',"
                            + " '00000000-0000-0000-0000-%012d', '{\"k\": %d, \"a\": [1, 2]}', %s, 'vc%d',"
                            + " '{%d,NULL,3}', '{\"a b\",c%d}', '%d days 02:03:04.5', %d, %s, 'b%d', '{\"j\": %d}',"
                            + " '2024-06-%02d 12:00:00.25')",
                    g, g, g, g % 2 == 0, g * 10_000_000_000L, g, g, g, g, g, Double.toString(g / 3.0), g,
                    g, g, g, g - 10, Float.toString(g / 7.0f), g, g, g));
        }
        StringBuilder log = new StringBuilder("INSERT INTO log VALUES ");
        for (int g = 1; g <= 10; g++) {
            log.append(g > 1 ? ", " : "").append("(").append(g % 5).append(", 'pre')");
        }
        return new String[] {items.toString(), log.toString()};
    }

    @TempDir
    Path tmp;

    /** Waits until lrep's tables equal PostgreSQL's, row for row. */
    private static void awaitInSync(Connection pg, Connection lrep) throws SQLException {
        List<String> items = rows(pg, ITEMS);
        List<String> log = rows(pg, LOG);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(rows(lrep, ITEMS)).containsExactlyElementsOf(items);
            assertThat(rows(lrep, LOG)).containsExactlyElementsOf(log);
        });
    }

    /** Waits until PostgreSQL's slot has confirmed everything up to PostgreSQL's current WAL position. */
    private static void awaitConfirmed(Connection pg, String slot) throws SQLException {
        String lsn = rows(pg, "SELECT pg_current_wal_lsn()").get(0);
        await().atMost(WAIT).until(() -> rows(pg, "SELECT confirmed_flush_lsn >= '" + lsn + "'::pg_lsn FROM pg_replication_slots"
                + " WHERE slot_name = '" + slot + "'").equals(List.of("t")));
    }

    /**
     * Text mode as the superuser with a key=value conninfo; binary mode as a non-superuser
     * replication role with a postgresql:// URI.
     */
    @ParameterizedTest(name = "binary = {0}")
    @ValueSource(booleans = {false, true})
    void shouldFollowEveryChangeOfAPostgresPublisherWithoutInitialCopy(boolean binary) throws Exception {
        try (PgServer pg = PgServer.start(PG_SETTINGS); Connection p = pg.connect();
                TestNode node = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS); Connection s = node.connect()) {
            execute(p, TABLES);
            execute(p, "ALTER TABLE log REPLICA IDENTITY FULL", "CREATE PUBLICATION pub FOR TABLE items, log");
            execute(p, EXISTING);
            String conninfo = pg.conninfo();
            if (binary) {
                execute(p, "CREATE ROLE rep LOGIN REPLICATION PASSWORD 'rep pw/@'");
                conninfo = "postgresql://rep:rep%20pw%2F%40@127.0.0.1:" + pg.port() + "/postgres?application_name=lrep_app";
            }
            // copy_data = false: the existing rows are already here, as when a table was loaded by hand
            execute(s, TABLES);
            execute(s, EXISTING);
            String before = rows(p, "SELECT pg_current_wal_lsn()").get(0);

            execute(s, "CREATE SUBSCRIPTION sub1 CONNECTION '" + conninfo + "' PUBLICATION pub"
                    + " WITH (copy_data = false, streaming = on, binary = " + binary + ")");
            assertThat(rows(p, "SELECT slot_name, plugin, slot_type, database FROM pg_replication_slots"))
                    .containsExactly("sub1|pgoutput|logical|postgres");
            assertThat(rows(s, "SELECT r.srsubstate, c.relname FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid"
                    + " ORDER BY c.relname")).containsExactly("r|items", "r|log");
            await().atMost(WAIT).until(() -> rows(s, "SELECT pid IS NOT NULL FROM pg_stat_subscription").equals(List.of("t")));
            // libpq semantics: the subscription name is only the fallback application_name
            String applicationName = binary ? "lrep_app" : "sub1";
            await().atMost(WAIT).until(() -> rows(p, "SELECT application_name, usename, state FROM pg_stat_replication")
                    .equals(List.of(applicationName + "|" + (binary ? "rep" : PgServer.SUPERUSER) + "|streaming")));

            // single-statement transactions: inserts, updates (also of the key), deletes, on both tables
            execute(p, "INSERT INTO items (id, v, amount, flag, at, doc, f, r, span, ts, d) VALUES (100, 'new', 99.99, true,"
                    + " '2030-12-31 23:59:59.123456+02', '{\"nested\": {\"x\": null}}', 'NaN', '-Infinity',"
                    + " '-1 year 2 mons -3 days 04:05:06.000007', '1999-12-31 23:59:59.999999', '0044-03-15 BC')",
                    "INSERT INTO items (id, amount, f, at, ints, tags) VALUES (103, -0.5, -0.0, '1970-01-01 00:00:00+00',"
                            + " '{}', '{NULL,\"\",\"\\\\\",\"{}\"}')",
                    "INSERT INTO items (id, v) VALUES (101, E'tab\\there, newline\\nthere, quote '' and backslash \\\\')",
                    "INSERT INTO items (id) VALUES (102)",
                    "UPDATE items SET v = 'upd' || id, amount = amount * 2 WHERE id % 3 = 0",
                    "UPDATE items SET id = id + 1000 WHERE id IN (1, 2)",
                    "UPDATE items SET raw = NULL, u = NULL WHERE id = 4",
                    "UPDATE items SET ints = ints || 9, tags = NULL, span = span * 2, bp = 'x' WHERE id % 4 = 0",
                    "DELETE FROM items WHERE id % 7 = 0",
                    "INSERT INTO log VALUES (100, 'new'), (100, 'new')",
                    "UPDATE log SET note = 'changed' WHERE n = 1",
                    "DELETE FROM log WHERE n = 2");
            // a multi-statement transaction
            execute(p, "BEGIN", "INSERT INTO items (id, v) VALUES (500, 'in a block')", "UPDATE items SET v = 'again' WHERE id = 500",
                    "DELETE FROM items WHERE id = 5", "INSERT INTO log VALUES (500, 'block')", "UPDATE items SET id = 501 WHERE id = 500",
                    "COMMIT");
            // rolled back: nothing arrives
            execute(p, "BEGIN", "INSERT INTO items (id, v) VALUES (600, 'rolled back')", "ROLLBACK");
            awaitInSync(p, s);
            assertThat(rows(s, "SELECT v FROM items WHERE id = 101")).containsExactly("tab\there, newline\nthere, quote ' and backslash \\");
            assertThat(rows(s, "SELECT received_lsn IS NOT NULL, latest_end_lsn IS NOT NULL, last_msg_receipt_time IS NOT NULL"
                    + " FROM pg_stat_subscription WHERE subname = 'sub1'")).containsExactly("t|t|t");
            awaitConfirmed(p, "sub1");
            assertThat(rows(p, "SELECT confirmed_flush_lsn > '" + before + "'::pg_lsn FROM pg_replication_slots")).containsExactly("t");

            // truncate
            execute(p, "TRUNCATE log");
            execute(p, "INSERT INTO log VALUES (7, 'after truncate')");
            awaitInSync(p, s);

            // a large transaction, streamed in blocks before its commit (logical_decoding_work_mem = 64kB)
            execute(p, "BEGIN", "INSERT INTO items (id, v, amount) SELECT g, repeat('x', 200) || g, g FROM generate_series(10000, 14999) g",
                    "UPDATE items SET v = 'big ' || id WHERE id BETWEEN 10000 AND 10999", "DELETE FROM items WHERE id BETWEEN 14000 AND 14999",
                    "INSERT INTO log SELECT g, 'big' FROM generate_series(1, 2000) g", "COMMIT");
            // and a large one that rolls back: its streamed blocks are discarded
            execute(p, "BEGIN", "INSERT INTO items (id, v) SELECT g, repeat('y', 200) FROM generate_series(20000, 23999) g", "ROLLBACK");
            awaitInSync(p, s);
            assertThat(Long.parseLong(rows(p, "SELECT stream_txns FROM pg_stat_replication_slots WHERE slot_name = 'sub1'").get(0)))
                    .as("PostgreSQL streamed the large transactions").isGreaterThanOrEqualTo(1);
            awaitConfirmed(p, "sub1");
            assertThat(rows(s, "SELECT apply_error_count FROM pg_stat_subscription_stats WHERE subname = 'sub1'")).containsExactly("0");

            // the publisher restarts: the apply worker reconnects and resumes at its origin's progress, nothing lost or doubled
            String slotBefore = rows(p, "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'sub1'").get(0);
            pg.restart();
            try (Connection p2 = pg.connect()) {
                execute(p2, "INSERT INTO items (id, v) VALUES (700, 'after restart')", "UPDATE log SET note = 'after restart' WHERE n = 7",
                        "DELETE FROM items WHERE id = 10500");
                awaitInSync(p2, s);
                await().atMost(WAIT).until(() -> rows(p2, "SELECT state FROM pg_stat_replication").equals(List.of("streaming")));
                awaitConfirmed(p2, "sub1");
                assertThat(rows(p2, "SELECT confirmed_flush_lsn > '" + slotBefore + "'::pg_lsn FROM pg_replication_slots")).containsExactly("t");

                // a table added to the publication, picked up by REFRESH PUBLICATION
                execute(p2, "CREATE TABLE extra (k text PRIMARY KEY, n int)", "ALTER PUBLICATION pub ADD TABLE extra");
                execute(s, "CREATE TABLE extra (k text PRIMARY KEY, n int)",
                        "ALTER SUBSCRIPTION sub1 REFRESH PUBLICATION WITH (copy_data = false)");
                assertThat(rows(s, "SELECT r.srsubstate FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid"
                        + " WHERE c.relname = 'extra'")).containsExactly("r");
                // at once: the worker must see the new table's state when its Relation message arrives
                execute(p2, "INSERT INTO extra VALUES ('a', 1), ('b', 2)", "UPDATE extra SET k = 'c' WHERE k = 'a'");
                await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, "SELECT k, n FROM extra ORDER BY k")).containsExactly("b|2", "c|1"));
                awaitInSync(p2, s);

                execute(s, "DROP SUBSCRIPTION sub1");
                assertThat(rows(p2, "SELECT slot_name FROM pg_replication_slots")).as("dropped with the subscription").isEmpty();
                await().atMost(WAIT).until(() -> rows(p2, "SELECT count(*) FROM pg_stat_replication").equals(List.of("0")));
            }
            assertThat(rows(s, "SELECT count(*) FROM pg_stat_subscription")).containsExactly("0");
        }
    }

    @Test
    void shouldCopyTheExistingRowsOfAPostgresPublisherAndFollowItsChanges() throws Exception {
        try (PgServer pg = PgServer.start(PG_SETTINGS); Connection p = pg.connect();
                TestNode node = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS); Connection s = node.connect()) {
            execute(p, TABLES);
            execute(p, "ALTER TABLE log REPLICA IDENTITY FULL", "CREATE PUBLICATION pub FOR TABLE items, log");
            execute(p, EXISTING);
            execute(s, TABLES);

            execute(s, "CREATE SUBSCRIPTION sub1 CONNECTION '" + pg.conninfo() + "' PUBLICATION pub");
            awaitInSync(p, s);
            await().atMost(WAIT).until(() -> rows(s, "SELECT DISTINCT srsubstate FROM pg_subscription_rel").equals(List.of("r")));
            assertThat(rows(p, "SELECT slot_name FROM pg_replication_slots")).as("the table-sync slots are gone").containsExactly("sub1");

            execute(p, "INSERT INTO items (id, v) VALUES (100, 'after copy')", "UPDATE items SET id = 1001 WHERE id = 1",
                    "DELETE FROM items WHERE id = 2", "UPDATE log SET note = 'changed' WHERE n = 3", "DELETE FROM log WHERE n = 4");
            execute(p, "BEGIN", "INSERT INTO items (id, v) VALUES (101, 'block')", "INSERT INTO log VALUES (101, 'block')", "COMMIT");
            awaitInSync(p, s);
            awaitConfirmed(p, "sub1");

            execute(s, "DROP SUBSCRIPTION sub1");
            assertThat(rows(p, "SELECT slot_name FROM pg_replication_slots")).isEmpty();
        }
    }
}
