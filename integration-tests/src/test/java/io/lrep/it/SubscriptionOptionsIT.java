package io.lrep.it;

import static io.lrep.it.Sql.execute;
import static io.lrep.it.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * The CREATE SUBSCRIPTION options end to end between two real lrep nodes: {@code connect = false}
 * then slot, slot_name, ENABLE and REFRESH by hand; {@code create_slot = false} on a slot made
 * beforehand; {@code enabled = false} then ENABLE; {@code binary} over many types;
 * {@code streaming} with a transaction larger than logical_decoding_work_mem;
 * {@code synchronous_commit} on and off; PostgreSQL 17's {@code failover}; PostgreSQL 16's
 * {@code password_required} for a subscription whose owner lost superuser.
 */
class SubscriptionOptionsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Map<String, String> SUB_SETTINGS = Map.of("wal_retrieve_retry_interval", "100",
            "wal_receiver_status_interval", "1");

    @TempDir
    Path tmp;


    private static void assertSqlError(Connection c, String sql, String sqlState, String message) {
        assertThatThrownBy(() -> execute(c, sql)).isInstanceOfSatisfying(PSQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo(sqlState);
            assertThat(e.getServerErrorMessage().getMessage()).isEqualTo(message);
        });
    }

    private static void awaitRows(Connection c, String sql, String... expected) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(rows(c, sql)).containsExactly(expected));
    }

    @Test
    void shouldSubscribeWithoutConnectingWithoutCreatingTheSlotAndDisabled() throws Exception {
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); TestNode sub = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS);
                Connection p = pub.connect(); Connection s = sub.connect()) {
            for (String t : List.of("a", "b", "c")) {
                String ddl = "CREATE TABLE " + t + " (id int PRIMARY KEY, v text)";
                execute(p, ddl, "CREATE PUBLICATION pub_" + t + " FOR TABLE " + t, "INSERT INTO " + t + " VALUES (1, 'before')");
                execute(s, ddl);
            }

            // connect = false: enabled, create_slot and copy_data turn off; nothing on the publisher
            execute(s, "CREATE SUBSCRIPTION sub_a CONNECTION '" + pub.conninfo() + "' PUBLICATION pub_a WITH (connect = false)");
            assertThat(rows(s, "SELECT subenabled, subslotname FROM pg_subscription WHERE subname = 'sub_a'"))
                    .containsExactly("f|sub_a");
            assertThat(rows(s, "SELECT count(*) FROM pg_subscription_rel")).containsExactly("0");
            assertThat(rows(p, "SELECT count(*) FROM pg_replication_slots")).containsExactly("0");
            assertSqlError(s, "CREATE SUBSCRIPTION sub_x CONNECTION '" + pub.conninfo() + "' PUBLICATION pub_a"
                    + " WITH (connect = false, copy_data = true)", "42601", "connect = false and copy_data = true are mutually exclusive options");
            execute(p, "SELECT pg_create_logical_replication_slot('hand_made', 'pgoutput')");
            execute(s, "ALTER SUBSCRIPTION sub_a SET (slot_name = 'hand_made')", "ALTER SUBSCRIPTION sub_a ENABLE",
                    "ALTER SUBSCRIPTION sub_a REFRESH PUBLICATION");
            awaitRows(s, "SELECT id, v FROM a ORDER BY id", "1|before");
            execute(p, "INSERT INTO a VALUES (2, 'after')", "UPDATE a SET v = 'changed' WHERE id = 1");
            awaitRows(s, "SELECT id, v FROM a ORDER BY id", "1|changed", "2|after");

            // create_slot = false: the subscription uses the slot made beforehand and makes none
            execute(p, "SELECT pg_create_logical_replication_slot('pre_made', 'pgoutput')");
            execute(s, "CREATE SUBSCRIPTION sub_b CONNECTION '" + pub.conninfo() + "' PUBLICATION pub_b"
                    + " WITH (create_slot = false, slot_name = 'pre_made')");
            awaitRows(s, "SELECT id, v FROM b ORDER BY id", "1|before");
            execute(p, "INSERT INTO b VALUES (2, 'after')");
            awaitRows(s, "SELECT id, v FROM b ORDER BY id", "1|before", "2|after");
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(p, "SELECT slot_name, active FROM pg_replication_slots"
                    + " WHERE slot_name IN ('pre_made', 'sub_b') ORDER BY slot_name")).containsExactly("pre_made|t"));

            // enabled = false: the slot exists and the tables wait in state i; ENABLE starts the copy
            execute(s, "CREATE SUBSCRIPTION sub_c CONNECTION '" + pub.conninfo() + "' PUBLICATION pub_c WITH (enabled = false)");
            assertThat(rows(p, "SELECT slot_name, active FROM pg_replication_slots WHERE slot_name = 'sub_c'"))
                    .containsExactly("sub_c|f");
            assertThat(rows(s, "SELECT r.srsubstate FROM pg_subscription_rel r JOIN pg_subscription u ON u.oid = r.srsubid"
                    + " WHERE u.subname = 'sub_c'")).containsExactly("i");
            execute(p, "INSERT INTO c VALUES (2, 'while disabled')");
            assertThat(rows(s, "SELECT count(*) FROM c")).containsExactly("0");
            execute(s, "ALTER SUBSCRIPTION sub_c ENABLE");
            awaitRows(s, "SELECT id, v FROM c ORDER BY id", "1|before", "2|while disabled");
            execute(p, "INSERT INTO c VALUES (3, 'after')");
            awaitRows(s, "SELECT id, v FROM c ORDER BY id", "1|before", "2|while disabled", "3|after");

            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, "SELECT DISTINCT srsubstate FROM pg_subscription_rel"))
                    .containsExactly("r"));
            for (String name : List.of("sub_a", "sub_b", "sub_c")) {
                execute(s, "DROP SUBSCRIPTION " + name);
            }
            assertThat(rows(p, "SELECT count(*) FROM pg_replication_slots")).containsExactly("0");
        }
    }

    @Test
    void shouldReplicateManyTypesInBinary() throws Exception {
        String ddl = "CREATE TABLE t (id int PRIMARY KEY, i2 int2, i4 int4, i8 int8, num numeric, f4 float4, f8 float8, tx text,"
                + " by bytea, bo bool, d date, ts timestamp, tz timestamptz, iv interval, u uuid, j jsonb, ai int[], at text[])";
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); TestNode sub = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS);
                Connection p = pub.connect(); Connection s = sub.connect()) {
            execute(p, ddl, "CREATE PUBLICATION pub FOR TABLE t");
            execute(s, ddl);
            execute(s, "CREATE SUBSCRIPTION sub CONNECTION '" + pub.conninfo() + "' PUBLICATION pub WITH (binary = true, copy_data = false)");
            assertThat(rows(s, "SELECT subbinary FROM pg_subscription")).containsExactly("t");
            execute(p, "INSERT INTO t VALUES (1, -32768, 2147483647, -9223372036854775808, 12345678901234567890.123456789, 1.5, -2.25e-300,"
                    + " 'héllo ''q''', '\\x00ff10', true, '2024-02-29', '2001-02-03 04:05:06.789', '2001-02-03 04:05:06.5+02',"
                    + " '1 year 2 mons 3 days 04:05:06.7', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": [1, 2, {\"x\": null}]}',"
                    + " '{1,NULL,-3}', '{\"a b\",c,NULL}')",
                    "INSERT INTO t (id) VALUES (2)",
                    "INSERT INTO t VALUES (3, 0, 0, 0, 0, 'NaN', '-Infinity', '', '\\x', false, '0001-01-01', '1999-12-31 23:59:59',"
                    + " '1970-01-01 00:00:00+00', '-1 days', '00000000-0000-0000-0000-000000000000', '[]', '{}', '{}')");
            execute(p, "UPDATE t SET num = -0.5, tx = 'updated' WHERE id = 3");
            String all = "SELECT * FROM t ORDER BY id";
            List<String> expected = rows(p, all);
            assertThat(expected).hasSize(3);
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, all)).containsExactlyElementsOf(expected));
        }
    }

    @Test
    void shouldStreamALargeTransactionAndHonourSynchronousCommit() throws Exception {
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of("logical_decoding_work_mem", "64kB"));
                TestNode sub = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS); Connection p = pub.connect(); Connection s = sub.connect()) {
            for (String t : List.of("big", "on_t", "off_t")) {
                String ddl = "CREATE TABLE " + t + " (id int PRIMARY KEY, v text)";
                execute(p, ddl, "CREATE PUBLICATION pub_" + t + " FOR TABLE " + t);
                execute(s, ddl);
            }
            execute(s, "CREATE SUBSCRIPTION sub_big CONNECTION '" + pub.conninfo() + "' PUBLICATION pub_big"
                    + " WITH (streaming = on, copy_data = false)");
            execute(s, "CREATE SUBSCRIPTION sub_on CONNECTION '" + pub.conninfo() + "' PUBLICATION pub_on_t"
                    + " WITH (synchronous_commit = on, copy_data = false)");
            execute(s, "CREATE SUBSCRIPTION sub_off CONNECTION '" + pub.conninfo() + "' PUBLICATION pub_off_t"
                    + " WITH (synchronous_commit = off, copy_data = false)");
            assertThat(rows(s, "SELECT subname, substream, subsynccommit FROM pg_subscription ORDER BY subname"))
                    .containsExactly("sub_big|t|off", "sub_off|f|off", "sub_on|f|on");

            // one transaction well past logical_decoding_work_mem: streamed in chunks, applied at its commit
            execute(p, "BEGIN");
            for (int i = 0; i < 20; i++) {
                execute(p, "INSERT INTO big SELECT g, repeat('x', 100) || g FROM generate_series(" + (i * 1000 + 1) + ", "
                        + (i * 1000 + 1000) + ") g");
            }
            execute(p, "DELETE FROM big WHERE id % 10 = 0", "COMMIT");
            awaitRows(s, "SELECT count(*), min(id), max(id), sum(length(v)) FROM big", "18000|1|19999|" + bigLength());
            assertThat(rows(p, "SELECT stream_txns > 0 FROM pg_stat_replication_slots WHERE slot_name = 'sub_big'"))
                    .containsExactly("t");

            execute(p, "INSERT INTO on_t VALUES (1, 'durable')", "INSERT INTO off_t VALUES (1, 'lazy')");
            String commitLsn = rows(p, "SELECT pg_current_wal_lsn()").get(0);
            awaitRows(s, "SELECT id, v FROM on_t", "1|durable");
            awaitRows(s, "SELECT id, v FROM off_t", "1|lazy");
            // with synchronous_commit = on what the subscriber reports as flushed covers the commit
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(p, "SELECT flush_lsn >= '" + commitLsn + "'::pg_lsn"
                    + " FROM pg_stat_replication WHERE application_name = 'sub_on'")).containsExactly("t"));
        }
    }

    /** sum(length(v)) over the rows of big that stay: 'x' * 100 followed by the id. */
    private static long bigLength() {
        long sum = 0;
        for (int id = 1; id <= 20_000; id++) {
            if (id % 10 != 0) {
                sum += 100 + String.valueOf(id).length();
            }
        }
        return sum;
    }

    @Test
    void shouldCreateAndAlterFailoverSlots() throws Exception {
        Path pubDir = tmp.resolve("pub");
        TestNode pub = TestNode.start(pubDir, Map.of());
        try (TestNode sub = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS); Connection s = sub.connect()) {
            try (Connection p = pub.connect()) {
                execute(p, "CREATE TABLE t (id int PRIMARY KEY)", "CREATE PUBLICATION pub FOR TABLE t");
            }
            execute(s, "CREATE TABLE t (id int PRIMARY KEY)");
            execute(s, "CREATE SUBSCRIPTION sub CONNECTION '" + pub.conninfo() + "' PUBLICATION pub WITH (failover = true, copy_data = false)");
            execute(s, "CREATE SUBSCRIPTION plain CONNECTION '" + pub.conninfo() + "' PUBLICATION pub WITH (enabled = false, copy_data = false)");
            assertThat(rows(s, "SELECT subname, subfailover FROM pg_subscription ORDER BY subname"))
                    .containsExactly("plain|f", "sub|t");
            try (Connection p = pub.connect()) {
                assertThat(rows(p, "SELECT slot_name, failover, synced FROM pg_replication_slots ORDER BY slot_name"))
                        .containsExactly("plain|f|f", "sub|t|f");
                execute(p, "INSERT INTO t VALUES (1)");
            }
            awaitRows(s, "SELECT id FROM t", "1");

            assertSqlError(s, "ALTER SUBSCRIPTION sub SET (failover = false)", "0A000", "cannot set failover for enabled subscription");
            execute(s, "ALTER SUBSCRIPTION sub DISABLE");
            try (Connection p = pub.connect()) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(rows(p, "SELECT active FROM pg_replication_slots"
                        + " WHERE slot_name = 'sub'")).containsExactly("f"));
            }
            execute(s, "BEGIN");
            assertSqlError(s, "ALTER SUBSCRIPTION sub SET (failover = false)", "25001",
                    "ALTER SUBSCRIPTION ... SET (failover) cannot run inside a transaction block");
            execute(s, "ROLLBACK");
            execute(s, "ALTER SUBSCRIPTION sub SET (failover = false)", "ALTER SUBSCRIPTION plain SET (failover = true)");
            assertThat(rows(s, "SELECT subname, subfailover FROM pg_subscription ORDER BY subname"))
                    .containsExactly("plain|t", "sub|f");
            try (Connection p = pub.connect()) {
                assertThat(rows(p, "SELECT slot_name, failover FROM pg_replication_slots ORDER BY slot_name"))
                        .containsExactly("plain|t", "sub|f");
            }

            // the flag is part of the slot's saved state: it survives a crash of the publisher
            pub.halt();
            pub = TestNode.restart(pubDir, Map.of());
            try (Connection p = pub.connect()) {
                assertThat(rows(p, "SELECT slot_name, failover FROM pg_replication_slots ORDER BY slot_name"))
                        .containsExactly("plain|t", "sub|f");
            }
            execute(s, "ALTER SUBSCRIPTION sub CONNECTION '" + pub.conninfo() + "'", "ALTER SUBSCRIPTION sub ENABLE",
                    "ALTER SUBSCRIPTION plain CONNECTION '" + pub.conninfo() + "'", "ALTER SUBSCRIPTION plain SET (slot_name = NONE)");
            try (Connection p = pub.connect()) {
                execute(p, "INSERT INTO t VALUES (2)");
                execute(p, "SELECT pg_drop_replication_slot('plain')");
            }
            awaitRows(s, "SELECT id FROM t ORDER BY id", "1", "2");
            assertSqlError(s, "ALTER SUBSCRIPTION plain SET (failover = true)", "0A000",
                    "cannot set failover for a subscription that does not have a slot name");
            execute(s, "DROP SUBSCRIPTION sub", "DROP SUBSCRIPTION plain");
        } finally {
            pub.close();
        }
    }

    @Test
    void shouldRequireAPasswordOfASubscriptionOwnedByANonSuperuser() throws Exception {
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); TestNode sub = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS);
                Connection p = pub.connect(); Connection s = sub.connect()) {
            execute(p, "CREATE TABLE t (id int PRIMARY KEY)", "CREATE PUBLICATION pub FOR TABLE t");
            execute(s, "CREATE TABLE t (id int PRIMARY KEY)", "CREATE ROLE owner1 SUPERUSER LOGIN");
            execute(s, "CREATE SUBSCRIPTION sub CONNECTION '" + pub.conninfo() + "' PUBLICATION pub WITH (enabled = false, copy_data = false)",
                    "ALTER SUBSCRIPTION sub OWNER TO owner1", "ALTER ROLE owner1 NOSUPERUSER");
            assertThat(rows(s, "SELECT subpasswordrequired FROM pg_subscription")).containsExactly("t");

            // walrcv_check_conninfo: a non-superuser owner's conninfo must carry a password
            assertThatThrownBy(() -> execute(s, "ALTER SUBSCRIPTION sub CONNECTION '" + pub.conninfo() + "'"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("2F003");
                        assertThat(e.getServerErrorMessage().getMessage()).isEqualTo("password is required");
                        assertThat(e.getServerErrorMessage().getDetail())
                                .isEqualTo("Non-superusers must provide a password in the connection string.");
                    });
            execute(s, "ALTER SUBSCRIPTION sub CONNECTION '" + pub.conninfo() + " password=secret'");

            // the publisher trusts: it never asks for the password, so the apply worker refuses to go on
            execute(s, "ALTER SUBSCRIPTION sub ENABLE");
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, "SELECT apply_error_count > 0 FROM pg_stat_subscription_stats"))
                    .containsExactly("t"));
            execute(p, "INSERT INTO t VALUES (1)");
            assertThat(rows(s, "SELECT count(*) FROM t")).containsExactly("0");

            // a superuser lifts the requirement: replication starts
            execute(s, "ALTER SUBSCRIPTION sub SET (password_required = false)");
            awaitRows(s, "SELECT id FROM t", "1");
            execute(s, "DROP SUBSCRIPTION sub");
        }
    }
}
