package io.lrep.node.sql.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.node.sql.SqlSession;
import io.lrep.node.sql.SubscriptionHooks;
import io.lrep.node.sql.catalog.SubscriptionViews;
import io.lrep.node.sql.catalog.SystemCatalog;
import io.lrep.subscriber.subscription.PublisherConnection;
import io.lrep.subscriber.subscription.PublisherConnector;
import io.lrep.subscriber.subscription.SubscriptionListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CREATE / ALTER / DROP SUBSCRIPTION, the subscription views, and what is sent to the publisher, against PostgreSQL 15's behaviour. */
class SubscriptionSqlTest {

    /** A publisher that records the commands it is sent. */
    static final class FakePublisher implements PublisherConnector {
        final List<String> sent = new ArrayList<>();
        List<String> publications = List.of("p1", "p2");
        List<PublisherConnection.RemoteTable> tables = List.of(new PublisherConnection.RemoteTable("public", "t", List.of("a", "b")));
        boolean down;

        @Override
        public void checkConninfo(String conninfo) {
            if (!conninfo.contains("=")) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "invalid connection string syntax: missing \"=\" after \"" + conninfo
                        + "\" in connection info string");
            }
        }

        @Override
        public PublisherConnection connect(String conninfo, String applicationName) {
            if (down) {
                throw new LrepException(SqlState.CONNECTION_FAILURE, "could not connect to the publisher: Connection refused");
            }
            sent.add("connect " + applicationName);
            return new PublisherConnection() {
                @Override
                public List<String> existingPublications(List<String> names) {
                    sent.add("check " + names);
                    return names.stream().filter(publications::contains).toList();
                }

                @Override
                public List<RemoteTable> fetchTables(List<String> names) {
                    sent.add("tables " + names);
                    return tables;
                }

                @Override
                public long createSlot(String slotName, boolean twoPhase) {
                    sent.add("create_slot " + slotName);
                    return 0x100;
                }

                @Override
                public void dropSlot(String slotName, boolean missingOk) {
                    sent.add("drop_slot " + slotName + (missingOk ? " missing_ok" : ""));
                }

                @Override
                public void close() {
                    sent.add("close");
                }
            };
        }
    }

    private SqlHarness h;
    private SqlSession s;
    private final FakePublisher pub = new FakePublisher();
    private final List<SubscriptionListener.Change> changes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        h = new SqlHarness(List.of(new SystemCatalog(), new SubscriptionViews()));
        h.engine.setSubscriptionHooks(new SubscriptionHooks(pub, changes::add, 7));
        s = h.session();
        script("CREATE TABLE t (a int PRIMARY KEY, b int)", "CREATE TABLE",
                "CREATE TABLE u (a int PRIMARY KEY)", "CREATE TABLE");
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private void script(String... steps) {
        SqlHarness.script(s, steps);
    }

    @Test
    void createConnectedFetchesTablesAndCreatesTheSlot() {
        script("CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1, p3", "CREATE SUBSCRIPTION");
        assertThat(pub.sent).containsExactly("connect s1", "check [p1, p3]", "tables [p1, p3]", "create_slot s1", "close");
        assertThat(SqlHarness.notices(s)).containsExactly("WARNING 42704: publication \"p3\" does not exist on the publisher",
                "NOTICE 00000: created replication slot \"s1\" on publisher");
        script("SELECT subname, subskiplsn, subenabled, subbinary, substream, subtwophasestate, subdisableonerr, subconninfo,"
                        + " subslotname, subsynccommit, subpublications, suborigin FROM pg_subscription",
                "s1|0/0|t|f|f|d|f|host=x|s1|off|{p1,p3}|any",
                "SELECT c.relname, r.srsubstate, r.srsublsn FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid",
                "t|i|null",
                "SELECT subname, pid, relid, received_lsn FROM pg_stat_subscription", "s1|null|null|null",
                "SELECT subname, apply_error_count, sync_error_count, stats_reset FROM pg_stat_subscription_stats", "s1|0|0|null");
        assertThat(changes).extracting(SubscriptionListener.Change::kind).containsExactly(SubscriptionListener.Kind.CREATED);
    }

    @Test
    void createWithoutCopyOrSlot() {
        script("CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1 WITH (copy_data = false, create_slot = false,"
                        + " slot_name = 'other', binary, streaming = on, synchronous_commit = 'remote_apply', disable_on_error = true,"
                        + " origin = none, two_phase = false)", "CREATE SUBSCRIPTION",
                "SELECT subslotname, subbinary, substream, subsynccommit, subdisableonerr, suborigin FROM pg_subscription",
                "other|t|t|remote_apply|t|none",
                "SELECT r.srsubstate FROM pg_subscription_rel r", "r");
        assertThat(pub.sent).containsExactly("connect s1", "check [p1]", "tables [p1]", "close");
    }

    @Test
    void connectFalseContactsNothing() {
        script("CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false)", "CREATE SUBSCRIPTION",
                "SELECT subenabled, subslotname FROM pg_subscription", "f|s1",
                "SELECT count(*) FROM pg_subscription_rel", "0");
        assertThat(SqlHarness.notices(s)).containsExactly("WARNING 01000: tables were not subscribed, you will have to run"
                + " ALTER SUBSCRIPTION ... REFRESH PUBLICATION to subscribe the tables");
        assertThat(pub.sent).isEmpty();
    }

    @Test
    void createErrors() {
        script("CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false)", "CREATE SUBSCRIPTION",
                "CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false)",
                "ERROR 42710: subscription \"s1\" already exists",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false, enabled = true)",
                "ERROR 42601: connect = false and enabled = true are mutually exclusive options",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false, create_slot = true)",
                "ERROR 42601: connect = false and create_slot = true are mutually exclusive options",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false, copy_data = true)",
                "ERROR 42601: connect = false and copy_data = true are mutually exclusive options",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (slot_name = none)",
                "ERROR 42601: subscription with slot_name = NONE must also set enabled = false",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (slot_name = none, enabled = false)",
                "ERROR 42601: subscription with slot_name = NONE must also set create_slot = false",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (slot_name = none, enabled = true, create_slot = false)",
                "ERROR 42601: slot_name = NONE and enabled = true are mutually exclusive options",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (foo = 1)",
                "ERROR 42601: unrecognized subscription parameter: \"foo\"",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (binary = 1, binary = 2)",
                "ERROR 42601: conflicting or redundant options",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (binary = maybe)",
                "ERROR 42601: binary requires a Boolean value",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1, p1 WITH (connect = false)",
                "ERROR 42710: publication name \"p1\" used more than once",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (synchronous_commit = foo, connect = false)",
                "ERROR 22023: invalid value for parameter \"synchronous_commit\": \"foo\"",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (slot_name = 'A b', connect = false)",
                "ERROR 42602: replication slot name \"A b\" contains invalid character",
                "CREATE SUBSCRIPTION s2 CONNECTION 'bogus' PUBLICATION p1 WITH (connect = false)",
                "ERROR 42601: invalid connection string syntax: missing \"=\" after \"bogus\" in connection info string",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (two_phase = true)",
                "ERROR 0A000: two_phase = true is not supported by lrep",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (origin = some, connect = false)",
                "ERROR 22023: unrecognized origin value: \"some\"",
                "BEGIN", "BEGIN",
                "CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1",
                "ERROR 25001: CREATE SUBSCRIPTION ... WITH (create_slot = true) cannot run inside a transaction block",
                "ROLLBACK", "ROLLBACK");
        pub.tables = List.of(new PublisherConnection.RemoteTable("public", "missing", null));
        script("CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1",
                "ERROR 42P01: relation \"public.missing\" does not exist",
                "SELECT count(*) FROM pg_subscription", "1",
                "CREATE ROLE joe LOGIN", "CREATE ROLE");
        SqlSession joe = h.session("joe");
        assertThat(SqlHarness.run(joe, "CREATE SUBSCRIPTION s3 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false)"))
                .isEqualTo("ERROR 42501: must be superuser to create subscriptions");
        assertThat(SqlHarness.run(joe, "ALTER SUBSCRIPTION s1 DISABLE")).isEqualTo("ERROR 42501: must be owner of subscription s1");
        assertThat(SqlHarness.run(joe, "DROP SUBSCRIPTION s1")).isEqualTo("ERROR 42501: must be owner of subscription s1");
    }

    @Test
    void alterForms() {
        script("CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false)", "CREATE SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 REFRESH PUBLICATION",
                "ERROR 55000: ALTER SUBSCRIPTION ... REFRESH is not allowed for disabled subscriptions",
                "ALTER SUBSCRIPTION s1 ADD PUBLICATION p2",
                "ERROR 55000: ALTER SUBSCRIPTION with refresh is not allowed for disabled subscriptions",
                "ALTER SUBSCRIPTION s1 ADD PUBLICATION p2 WITH (refresh = false)", "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 ADD PUBLICATION p2 WITH (refresh = false)",
                "ERROR 42710: publication \"p2\" is already in subscription \"s1\"",
                "ALTER SUBSCRIPTION s1 DROP PUBLICATION p9 WITH (refresh = false)",
                "ERROR 42P17: publication \"p9\" is not in subscription \"s1\"",
                "ALTER SUBSCRIPTION s1 DROP PUBLICATION p1, p2 WITH (refresh = false)",
                "ERROR 42P17: cannot drop all the publications from a subscription",
                "ALTER SUBSCRIPTION s1 DROP PUBLICATION p1 WITH (refresh = false, copy_data = false)",
                "ERROR 42601: unrecognized subscription parameter: \"copy_data\"",
                "ALTER SUBSCRIPTION s1 ENABLE", "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 SET (slot_name = none)", "ERROR 55000: cannot set slot_name = NONE for enabled subscription",
                "ALTER SUBSCRIPTION s1 SKIP (lsn = '0/0')", "ERROR 22023: invalid WAL location (LSN): 0/0",
                "ALTER SUBSCRIPTION s1 SKIP (lsn = 'zz')", "ERROR 22P02: invalid input syntax for type pg_lsn: \"zz\"",
                "ALTER SUBSCRIPTION s1 SKIP (lsn = '0/12')", "ALTER SUBSCRIPTION",
                "SELECT subskiplsn FROM pg_subscription", "0/12",
                "ALTER SUBSCRIPTION s1 SKIP (lsn = NONE)", "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 SET (copy_data = true)", "ERROR 42601: unrecognized subscription parameter: \"copy_data\"",
                "ALTER SUBSCRIPTION s1 SET (binary = true, synchronous_commit = local, streaming, disable_on_error, origin = none)",
                "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 CONNECTION 'host=y'", "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 CONNECTION 'bad'",
                "ERROR 42601: invalid connection string syntax: missing \"=\" after \"bad\" in connection info string",
                "ALTER SUBSCRIPTION nosuch ENABLE", "ERROR 42704: subscription \"nosuch\" does not exist",
                "CREATE ROLE r1", "CREATE ROLE",
                "ALTER SUBSCRIPTION s1 OWNER TO r1", "ERROR 42501: permission denied to change owner of subscription \"s1\"",
                "ALTER SUBSCRIPTION s1 OWNER TO nobody", "ERROR 42704: role \"nobody\" does not exist",
                "CREATE ROLE boss SUPERUSER", "CREATE ROLE",
                "ALTER SUBSCRIPTION s1 OWNER TO boss", "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 RENAME TO s9", "ALTER SUBSCRIPTION",
                "SELECT subname, r.rolname, subenabled, subbinary, substream, subsynccommit, subdisableonerr, suborigin, subconninfo,"
                        + " subpublications, subskiplsn FROM pg_subscription JOIN pg_authid r ON r.oid = subowner",
                "s9|boss|t|t|t|local|t|none|host=y|{p1,p2}|0/0",
                "ALTER SUBSCRIPTION s9 DISABLE", "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s9 SET (slot_name = NONE)", "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s9 ENABLE", "ERROR 55000: cannot enable subscription that does not have a slot name");
        assertThat(pub.sent).isEmpty();
        assertThat(changes).hasSize(11);
    }

    @Test
    void refreshAddsAndRemovesTablesAndDropsUnfinishedSyncSlots() {
        script("CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1", "CREATE SUBSCRIPTION");
        long subOid = Long.parseLong(SqlHarness.run(s, "SELECT oid FROM pg_subscription"));
        String tOid = SqlHarness.run(s, "SELECT oid FROM pg_class WHERE relname = 't'");
        pub.sent.clear();
        pub.tables = List.of(new PublisherConnection.RemoteTable("public", "u", List.of("a")));
        script("ALTER SUBSCRIPTION s1 REFRESH PUBLICATION WITH (copy_data = false)", "ALTER SUBSCRIPTION",
                "SELECT c.relname, r.srsubstate FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid", "u|r");
        assertThat(pub.sent).containsExactly("connect s1", "tables [p1]", "drop_slot pg_" + subOid + "_sync_" + tOid + "_7 missing_ok",
                "close");
        pub.sent.clear();
        script("ALTER SUBSCRIPTION s1 SET PUBLICATION p1, p2", "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 ADD PUBLICATION p3 WITH (copy_data = false)", "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 DROP PUBLICATION p3", "ALTER SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 SET PUBLICATION p2 WITH (refresh = false)", "ALTER SUBSCRIPTION",
                "BEGIN", "BEGIN",
                "ALTER SUBSCRIPTION s1 REFRESH PUBLICATION",
                "ERROR 25001: ALTER SUBSCRIPTION ... REFRESH cannot run inside a transaction block",
                "ROLLBACK", "ROLLBACK",
                "BEGIN", "BEGIN",
                "ALTER SUBSCRIPTION s1 SET PUBLICATION p1",
                "ERROR 25001: ALTER SUBSCRIPTION with refresh cannot run inside a transaction block",
                "ROLLBACK", "ROLLBACK");
        assertThat(pub.sent).containsExactly(
                "connect s1", "check [p1, p2]", "tables [p1, p2]", "close",
                "connect s1", "check [p3]", "tables [p1, p2, p3]", "close",
                "connect s1", "tables [p1, p2]", "close");
    }

    @Test
    void dropDropsTheSlotsUnlessSlotNameIsNone() {
        script("CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1", "CREATE SUBSCRIPTION",
                "BEGIN", "BEGIN",
                "DROP SUBSCRIPTION s1", "ERROR 25001: DROP SUBSCRIPTION cannot run inside a transaction block",
                "ROLLBACK", "ROLLBACK");
        long subOid = Long.parseLong(SqlHarness.run(s, "SELECT oid FROM pg_subscription"));
        String tOid = SqlHarness.run(s, "SELECT oid FROM pg_class WHERE relname = 't'");
        pub.sent.clear();
        changes.clear();
        pub.down = true;
        assertThat(SqlHarness.run(s, "DROP SUBSCRIPTION s1")).isEqualTo("ERROR 08006: could not connect to publisher when attempting"
                + " to drop replication slot \"s1\": Connection refused");
        assertThat(changes).isEmpty();
        pub.down = false;
        SqlHarness.notices(s);
        script("DROP SUBSCRIPTION s1", "DROP SUBSCRIPTION",
                "SELECT count(*) FROM pg_subscription_rel", "0");
        assertThat(pub.sent).containsExactly("connect s1", "drop_slot pg_" + subOid + "_sync_" + tOid + "_7 missing_ok",
                "drop_slot s1", "close");
        assertThat(SqlHarness.notices(s)).containsExactly("NOTICE 00000: dropped replication slot \"s1\" on publisher");
        assertThat(changes).extracting(SubscriptionListener.Change::kind).containsExactly(SubscriptionListener.Kind.DROPPED);

        pub.sent.clear();
        pub.down = true;
        script("CREATE SUBSCRIPTION s2 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false)", "CREATE SUBSCRIPTION",
                "ALTER SUBSCRIPTION s2 SET (slot_name = NONE)", "ALTER SUBSCRIPTION",
                "DROP SUBSCRIPTION s2", "DROP SUBSCRIPTION",
                "DROP SUBSCRIPTION s2", "ERROR 42704: subscription \"s2\" does not exist",
                "DROP SUBSCRIPTION IF EXISTS s2", "DROP SUBSCRIPTION");
        assertThat(pub.sent).isEmpty();
    }

    @Test
    void listenerHearsOnlyCommittedChanges() {
        script("BEGIN", "BEGIN",
                "CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false)", "CREATE SUBSCRIPTION");
        assertThat(changes).isEmpty();
        script("ROLLBACK", "ROLLBACK");
        assertThat(changes).isEmpty();
        script("BEGIN", "BEGIN",
                "CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1 WITH (connect = false)", "CREATE SUBSCRIPTION",
                "ALTER SUBSCRIPTION s1 SET (binary = true)", "ALTER SUBSCRIPTION");
        assertThat(changes).isEmpty();
        script("COMMIT", "COMMIT");
        assertThat(changes).extracting(SubscriptionListener.Change::kind)
                .containsExactly(SubscriptionListener.Kind.CREATED, SubscriptionListener.Kind.ALTERED);
    }

    @Test
    void droppingATableRemovesItFromSubscriptions() {
        script("CREATE SUBSCRIPTION s1 CONNECTION 'host=x' PUBLICATION p1", "CREATE SUBSCRIPTION",
                "SELECT count(*) FROM pg_subscription_rel", "1",
                "DROP TABLE t", "DROP TABLE",
                "SELECT count(*) FROM pg_subscription_rel", "0");
    }
}
