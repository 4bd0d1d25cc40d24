package io.lrep.node.sql.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SystemCatalogRowsTest {

    private static Map<String, Object> one(List<Map<String, Object>> rows, String column, Object value) {
        List<Map<String, Object>> hits = rows.stream().filter(r -> Objects.equals(r.get(column), value)).toList();
        assertThat(hits).as("rows with %s = %s", column, value).hasSize(1);
        return hits.get(0);
    }

    @Test
    void pgClassListsTablesIndexesSequencesAndSystemRelations() {
        try (CatalogFixture f = new CatalogFixture()) {
            List<Map<String, Object>> rows = f.rows("pg_class");
            Map<String, Object> t = one(rows, "relname", "t");
            assertThat(t).containsEntry("oid", (long) f.t.oid()).containsEntry("relnamespace", 2200L).containsEntry("relkind", "r")
                    .containsEntry("relam", 2L).containsEntry("relowner", 10L).containsEntry("relhasindex", true)
                    .containsEntry("relpersistence", "p").containsEntry("relreplident", "d").containsEntry("relchecks", (short) 0)
                    .containsEntry("relnatts", (short) 3).containsEntry("reloptions", null).containsEntry("relispartition", false);
            Map<String, Object> pkey = one(rows, "relname", "t_pkey");
            assertThat(pkey).containsEntry("oid", SyntheticOids.primaryKeyIndex(f.t.oid())).containsEntry("relkind", "i")
                    .containsEntry("relam", 403L).containsEntry("relnamespace", 2200L);
            assertThat(one(rows, "relname", "s1")).containsEntry("relkind", "S").containsEntry("oid", (long) f.s1.oid());
            assertThat(one(rows, "relname", "pg_class")).containsEntry("oid", 1259L).containsEntry("relnamespace", 11L)
                    .containsEntry("relkind", "r");
            assertThat(one(rows, "relname", "pg_roles")).containsEntry("relkind", "v");
            assertThat(one(rows, "relname", "columns")).containsEntry("relnamespace", (long) CatalogReader.INFORMATION_SCHEMA_OID);
            assertThat(one(rows, "relname", "pg_authid")).containsEntry("relkind", "r").containsEntry("relnamespace", 11L);
            assertThat(rows).extracting(r -> r.get("oid")).doesNotHaveDuplicates();
        }
    }

    /** What psql's \d shows: the non-system relations visible through search_path, as psql filters them. */
    @Test
    void psqlListOfRelationsSeesWhatPostgresShows() {
        try (CatalogFixture f = new CatalogFixture()) {
            Map<Long, String> nsp = f.rows("pg_namespace").stream()
                    .collect(Collectors.toMap(r -> (Long) r.get("oid"), r -> (String) r.get("nspname")));
            List<String> listed = f.rows("pg_class").stream()
                    .filter(r -> List.of("r", "p", "v", "m", "S", "f").contains(r.get("relkind")))
                    .filter(r -> !List.of("pg_catalog", "information_schema").contains(nsp.get(r.get("relnamespace"))))
                    .filter(r -> !nsp.get(r.get("relnamespace")).startsWith("pg_toast"))
                    .filter(r -> (Boolean) f.call("pg_table_is_visible", r.get("oid")))
                    .sorted(Comparator.comparing(r -> (String) r.get("relname")))
                    .map(r -> nsp.get(r.get("relnamespace")) + "|" + r.get("relname") + "|" + r.get("relkind") + "|"
                            + f.call("pg_get_userbyid", r.get("oid") == null ? null : r.get("relowner")))
                    .toList();
            assertThat(listed).containsExactly("public|s1|S|postgres", "public|t|r|postgres", "public|u|r|postgres",
                    "public|u_a_seq|S|postgres");
        }
    }

    @Test
    void pgAttributeAndAttrdefDescribeColumnsAsPsqlDShowsThem() {
        try (CatalogFixture f = new CatalogFixture()) {
            long t = f.t.oid();
            List<Map<String, Object>> atts = f.rows("pg_attribute").stream().filter(r -> r.get("attrelid").equals(t))
                    .sorted(Comparator.comparing(r -> (Short) r.get("attnum"))).toList();
            assertThat(atts).extracting(r -> r.get("attname"), r -> f.call("format_type", r.get("atttypid"), r.get("atttypmod")),
                    r -> r.get("attnotnull"), r -> r.get("atthasdef"), r -> r.get("attidentity"), r -> r.get("attgenerated"))
                    .containsExactly(tuple("id", "integer", true, false, "", ""), tuple("name", "text", true, true, "", ""),
                            tuple("v", "numeric(10,2)", false, false, "", ""));
            assertThat(atts.get(1)).containsEntry("attcollation", 100L).containsEntry("attlen", (short) -1)
                    .containsEntry("attisdropped", false);
            Map<String, Object> def = one(f.rows("pg_attrdef"), "adrelid", t);
            assertThat(def).containsEntry("adnum", (short) 2);
            assertThat(f.call("pg_get_expr", def.get("adbin"), t, true)).isEqualTo("'x'::text");
            List<Map<String, Object>> uAtts = f.rows("pg_attribute").stream().filter(r -> r.get("attrelid").equals((long) f.u.oid()))
                    .toList();
            assertThat(uAtts).extracting(r -> f.call("format_type", r.get("atttypid"), r.get("atttypmod")))
                    .containsExactlyInAnyOrder("bigint", "character varying(20)");
        }
    }

    @Test
    void primaryKeysAreIndexesAndConstraints() {
        try (CatalogFixture f = new CatalogFixture()) {
            long idx = SyntheticOids.primaryKeyIndex(f.t.oid());
            Map<String, Object> index = one(f.rows("pg_index"), "indrelid", (long) f.t.oid());
            assertThat(index).containsEntry("indexrelid", idx).containsEntry("indisprimary", true).containsEntry("indisunique", true)
                    .containsEntry("indisvalid", true).containsEntry("indisclustered", false).containsEntry("indisreplident", false);
            assertThat((Object[]) index.get("indkey")).containsExactly((short) 1);
            Map<String, Object> con = one(f.rows("pg_constraint"), "conrelid", (long) f.t.oid());
            assertThat(con).containsEntry("conname", "t_pkey").containsEntry("contype", "p").containsEntry("conindid", idx);
            assertThat((Object[]) con.get("conkey")).containsExactly((short) 1);
            assertThat(f.call("pg_get_indexdef", idx, 0, true)).isEqualTo("CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)");
            assertThat(f.call("pg_get_indexdef", idx)).isEqualTo("CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)");
            assertThat(f.call("pg_get_indexdef", idx, 1, false)).isEqualTo("id");
            assertThat(f.call("pg_get_indexdef", idx, 2, false)).isEqualTo("");
            assertThat(f.call("pg_get_constraintdef", con.get("oid"), true)).isEqualTo("PRIMARY KEY (id)");
            assertThat(one(f.rows("pg_indexes"), "indexname", "u_pkey"))
                    .containsEntry("indexdef", "CREATE UNIQUE INDEX u_pkey ON public.u USING btree (a)");
        }
    }

    @Test
    void rolesMaskPasswordsAndUsersAreLoginRoles() {
        try (CatalogFixture f = new CatalogFixture()) {
            List<Map<String, Object>> roles = f.rows("pg_roles");
            assertThat(one(roles, "rolname", "postgres")).containsEntry("oid", 10L).containsEntry("rolsuper", true)
                    .containsEntry("rolpassword", "********");
            assertThat(one(roles, "rolname", "app")).containsEntry("oid", 16500L).containsEntry("rolsuper", false)
                    .containsEntry("rolconnlimit", 5).containsEntry("rolpassword", "********");
            assertThat(f.rows("pg_user")).extracting(r -> r.get("usename")).containsExactly("postgres", "app");
            assertThat(f.call("pg_get_userbyid", 16500L)).isEqualTo("app");
            assertThat(f.call("pg_get_userbyid", 12345L)).isEqualTo("unknown (OID=12345)");
        }
    }

    @Test
    void fixedCatalogsHavePostgresOids() {
        try (CatalogFixture f = new CatalogFixture()) {
            assertThat(f.rows("pg_namespace")).extracting(r -> r.get("oid"), r -> r.get("nspname"))
                    .contains(tuple(11L, "pg_catalog"), tuple(2200L, "public"), tuple(99L, "pg_toast"),
                            tuple((long) CatalogReader.INFORMATION_SCHEMA_OID, "information_schema"));
            Map<String, Object> db = one(f.rows("pg_database"), "datname", "postgres");
            assertThat(db).containsEntry("oid", 5L).containsEntry("encoding", 6).containsEntry("datcollate", "C")
                    .containsEntry("datdba", 10L).containsEntry("datallowconn", true);
            assertThat(f.call("pg_encoding_to_char", 6)).isEqualTo("UTF8");
            assertThat(f.rows("pg_am")).extracting(r -> r.get("oid"), r -> r.get("amname"))
                    .containsExactly(tuple(2L, "heap"), tuple(403L, "btree"));
            assertThat(f.rows("pg_collation")).extracting(r -> r.get("oid")).containsExactly(100L, 950L, 951L);
            assertThat(f.rows("pg_tablespace")).extracting(r -> r.get("spcname")).containsExactly("pg_default", "pg_global");
            Map<String, Object> int4 = one(f.rows("pg_type"), "typname", "int4");
            assertThat(int4).containsEntry("oid", 23L).containsEntry("typlen", (short) 4).containsEntry("typarray", 1007L)
                    .containsEntry("typnamespace", 11L).containsEntry("typtype", "b").containsEntry("typinput", 42L);
            assertThat(one(f.rows("pg_type"), "typname", "text")).containsEntry("typcollation", 100L);
            assertThat(one(f.rows("pg_type"), "typname", "_int4")).containsEntry("typelem", 23L).containsEntry("typinput", 750L);
            assertThat(f.rows("pg_description")).isEmpty();
            assertThat(f.rows("pg_publication")).isEmpty();
        }
    }

    @Test
    void sequencesAndSettings() {
        try (CatalogFixture f = new CatalogFixture()) {
            assertThat(one(f.rows("pg_sequence"), "seqrelid", (long) f.s1.oid())).containsEntry("seqtypid", 20L)
                    .containsEntry("seqstart", 1L).containsEntry("seqmax", Long.MAX_VALUE).containsEntry("seqcycle", false);
            assertThat(one(f.rows("pg_sequences"), "sequencename", "s1")).containsEntry("last_value", null)
                    .containsEntry("sequenceowner", "postgres");
            assertThat(f.call("pg_get_serial_sequence", "u", "a")).isEqualTo("public.u_a_seq");
            assertThat(f.call("pg_get_serial_sequence", "t", "id")).isNull();
            Map<String, Object> port = one(f.rows("pg_settings"), "name", "port");
            assertThat(port).containsEntry("setting", "5432").containsEntry("vartype", "integer").containsEntry("context", "postmaster");
            assertThat(one(f.rows("pg_settings"), "name", "wal_sender_timeout")).containsEntry("setting", "60000")
                    .containsEntry("unit", "ms");
            assertThat(one(f.rows("pg_settings"), "name", "application_name")).containsEntry("setting", "psql");
            Map<String, Object> me = one(f.rows("pg_stat_activity"), "pid", 4242);
            assertThat(me).containsEntry("usename", "postgres").containsEntry("datname", "postgres")
                    .containsEntry("application_name", "psql").containsEntry("state", "active").containsEntry("usesysid", 10L);
        }
    }

    @Test
    void informationSchema() {
        try (CatalogFixture f = new CatalogFixture()) {
            List<Map<String, Object>> cols = f.rows("information_schema.columns").stream()
                    .filter(r -> r.get("table_name").equals("u")).toList();
            assertThat(cols).extracting(r -> r.get("column_name"), r -> r.get("data_type"), r -> r.get("is_nullable"),
                    r -> r.get("character_maximum_length"), r -> r.get("numeric_precision"), r -> r.get("column_default"))
                    .containsExactly(tuple("a", "bigint", "NO", null, 64, "nextval('u_a_seq'::regclass)"),
                            tuple("b", "character varying", "YES", 20, null, null));
            Map<String, Object> v = one(f.rows("information_schema.columns").stream().filter(r -> r.get("table_name").equals("t"))
                    .toList(), "column_name", "v");
            assertThat(v).containsEntry("numeric_precision", 10).containsEntry("numeric_scale", 2)
                    .containsEntry("numeric_precision_radix", 10).containsEntry("udt_name", "numeric");
            assertThat(f.rows("information_schema.tables").stream().filter(r -> r.get("table_schema").equals("public")))
                    .extracting(r -> r.get("table_name"), r -> r.get("table_type"))
                    .containsExactlyInAnyOrder(tuple("t", "BASE TABLE"), tuple("u", "BASE TABLE"));
            assertThat(f.rows("information_schema.schemata")).extracting(r -> r.get("schema_name"), r -> r.get("schema_owner"))
                    .contains(tuple("public", "pg_database_owner"), tuple("pg_catalog", "postgres"));
            assertThat(f.rows("information_schema.table_constraints").stream().filter(r -> r.get("table_name").equals("t")))
                    .extracting(r -> r.get("constraint_name"), r -> r.get("constraint_type"))
                    .containsExactlyInAnyOrder(tuple("t_pkey", "PRIMARY KEY"), tuple("2200_" + f.t.oid() + "_1_not_null", "CHECK"),
                            tuple("2200_" + f.t.oid() + "_2_not_null", "CHECK"));
            assertThat(f.rows("information_schema.key_column_usage").stream().filter(r -> r.get("table_schema").equals("public")))
                    .extracting(r -> r.get("table_name"), r -> r.get("column_name"),
                    r -> r.get("ordinal_position")).containsExactlyInAnyOrder(tuple("t", "id", 1), tuple("u", "a", 1));
            assertThat(one(f.rows("information_schema.sequences"), "sequence_name", "s1")).containsEntry("data_type", "bigint")
                    .containsEntry("start_value", "1").containsEntry("cycle_option", "NO");
        }
    }
}
