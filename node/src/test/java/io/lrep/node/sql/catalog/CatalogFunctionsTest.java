package io.lrep.node.sql.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.core.types.TypMod;
import org.junit.jupiter.api.Test;

class CatalogFunctionsTest {

    @Test
    void formatTypePrintsAsPostgres() {
        assertThat(TypeFormat.format(23, -1)).isEqualTo("integer");
        assertThat(TypeFormat.format(1043, TypMod.length(20))).isEqualTo("character varying(20)");
        assertThat(TypeFormat.format(1043, null)).isEqualTo("character varying");
        assertThat(TypeFormat.format(1700, TypMod.numeric(10, 2))).isEqualTo("numeric(10,2)");
        assertThat(TypeFormat.format(1700, -1)).isEqualTo("numeric");
        assertThat(TypeFormat.format(1184, -1)).isEqualTo("timestamp with time zone");
        assertThat(TypeFormat.format(1114, 3)).isEqualTo("timestamp(3) without time zone");
        assertThat(TypeFormat.format(1009, -1)).isEqualTo("text[]");
        assertThat(TypeFormat.format(1015, TypMod.length(20))).isEqualTo("character varying(20)[]");
        assertThat(TypeFormat.format(1002, -1)).isEqualTo("\"char\"[]");
        assertThat(TypeFormat.format(1042, null)).isEqualTo("character");
        assertThat(TypeFormat.format(1042, -1)).isEqualTo("bpchar");
        assertThat(TypeFormat.format(1042, TypMod.length(10))).isEqualTo("character(10)");
        assertThat(TypeFormat.format(16, 5)).isEqualTo("boolean");
        assertThat(TypeFormat.format(701, -1)).isEqualTo("double precision");
        assertThat(TypeFormat.format(999999, -1)).isEqualTo("???");
        try (CatalogFixture f = new CatalogFixture()) {
            assertThat(f.call("format_type", null, 1)).isNull();
            assertThat(f.call("format_type", 1042L, null)).isEqualTo("character");
        }
    }

    @Test
    void regclassResolvesThroughSearchPathAndQuotes() {
        try (CatalogFixture f = new CatalogFixture()) {
            assertThat(f.call("regclass", "pg_class")).isEqualTo(1259L);
            assertThat(f.call("regclass", "public.t")).isEqualTo((long) f.t.oid());
            assertThat(f.call("regclass", "T")).isEqualTo((long) f.t.oid());
            assertThat(f.call("regclass", "pg_catalog.pg_authid")).isNotNull();
            assertThatThrownBy(() -> f.call("regclass", "\"T\"")).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_TABLE);
                assertThat(e.getMessage()).isEqualTo("relation \"T\" does not exist");
            });
            assertThatThrownBy(() -> f.call("regclass", "nosuch.t")).isInstanceOfSatisfying(LrepException.class,
                    e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_SCHEMA));
            assertThat(f.call("to_regclass", "nosuch")).isNull();
            assertThat(f.call("to_regclass", "u")).isEqualTo((long) f.u.oid());
            assertThat(f.call("regclassout", (long) f.t.oid())).isEqualTo("t");
            assertThat(f.call("regclassout", 99999L)).isEqualTo("99999");
            assertThat(f.call("regclassout", 1259L)).isEqualTo("pg_class");
            f.settings.put("search_path", "pg_catalog");
            assertThat(f.call("regclassout", (long) f.t.oid())).isEqualTo("public.t");
            assertThat(f.call("pg_table_is_visible", (long) f.t.oid())).isEqualTo(false);
        }
    }

    @Test
    void pgTableIsVisibleFollowsSearchPath() {
        try (CatalogFixture f = new CatalogFixture()) {
            assertThat(f.call("pg_table_is_visible", (long) f.t.oid())).isEqualTo(true);
            assertThat(f.call("pg_table_is_visible", SyntheticOids.primaryKeyIndex(f.t.oid()))).isEqualTo(true);
            assertThat(f.call("pg_table_is_visible", 1259L)).isEqualTo(true);
            assertThat(f.call("pg_table_is_visible", 13425L)).isEqualTo(false); // information_schema.tables
        }
    }

    @Test
    void regtypeAndRegproc() {
        try (CatalogFixture f = new CatalogFixture()) {
            assertThat(f.call("regtype", "integer")).isEqualTo(23L);
            assertThat(f.call("regtype", "int4")).isEqualTo(23L);
            assertThat(f.call("regtype", "varchar(20)")).isEqualTo(1043L);
            assertThat(f.call("regtype", "text[]")).isEqualTo(1009L);
            assertThat(f.call("regtype", "double precision")).isEqualTo(701L);
            assertThat(f.call("regtype", "pg_catalog.int8")).isEqualTo(20L);
            assertThat(f.call("regtype", "\"char\"")).isEqualTo(18L);
            assertThat(f.call("regtype", "char")).isEqualTo(1042L);
            assertThatThrownBy(() -> f.call("regtype", "nosuch")).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_OBJECT);
                assertThat(e.getMessage()).isEqualTo("type \"nosuch\" does not exist");
            });
            assertThat(f.call("regtypeout", 1009L)).isEqualTo("text[]");
            assertThat(f.call("regtypeout", 1043L)).isEqualTo("character varying");
            assertThat(f.call("regproc", "pg_catalog.array_in")).isEqualTo(750L);
            assertThat(f.call("regprocout", 750L)).isEqualTo("array_in");
            assertThat(f.call("regprocout", 0L)).isEqualTo("-");
            assertThat(f.catalog.functions().stream().filter(fn -> fn.name().equals("text")).map(fn -> fn.argTypes().get(0)))
                    .containsExactlyInAnyOrder(PgType.REGCLASS, PgType.REGTYPE, PgType.REGPROC);
            assertThatThrownBy(() -> f.call("regproc", "nosuch")).isInstanceOfSatisfying(LrepException.class,
                    e -> assertThat(e.getMessage()).isEqualTo("function \"nosuch\" does not exist"));
            assertThat(f.call("regnamespace", 2200L)).isEqualTo("public");
        }
    }

    @Test
    void smallFunctions() {
        try (CatalogFixture f = new CatalogFixture()) {
            assertThat(f.call("pg_size_pretty", 10L)).isEqualTo("10 bytes");
            assertThat(f.call("pg_size_pretty", 10240L)).isEqualTo("10 kB");
            assertThat(f.call("pg_size_pretty", 1048575L)).isEqualTo("1024 kB");
            assertThat(f.call("pg_size_pretty", 123456789L)).isEqualTo("118 MB");
            assertThat(f.call("quote_ident", "Ab")).isEqualTo("\"Ab\"");
            assertThat(f.call("quote_ident", "ab")).isEqualTo("ab");
            assertThat(f.call("quote_ident", "select")).isEqualTo("\"select\"");
            assertThat(f.call("array_to_string", new Object[] {"a", null, "b"}, ",")).isEqualTo("a,b");
            assertThat(f.call("array_to_string", new Object[] {1, null, 2}, ",", "*")).isEqualTo("1,*,2");
            assertThat(f.call("pg_encoding_to_char", 0)).isEqualTo("SQL_ASCII");
            assertThat(f.call("obj_description", 1L, "pg_class")).isNull();
            assertThat(f.call("has_table_privilege", "t", "SELECT")).isEqualTo(true);
            assertThat(f.call("pg_relation_size", (long) f.t.oid())).isEqualTo(0L);
            assertThat(f.call("current_schemas", true)).isEqualTo(new Object[] {"pg_catalog", "public"});
            assertThat(f.call("current_schemas", false)).isEqualTo(new Object[] {"public"});
            assertThatThrownBy(() -> f.call("pg_get_serial_sequence", "t", "zz")).isInstanceOfSatisfying(LrepException.class,
                    e -> assertThat(e.getMessage()).isEqualTo("column \"zz\" of relation \"t\" does not exist"));
        }
    }

    @Test
    void pgProcListsFunctionsForDf() {
        try (CatalogFixture f = new CatalogFixture()) {
            var formatType = f.rows("pg_proc").stream().filter(r -> r.get("proname").equals("format_type")).toList();
            assertThat(formatType).hasSize(1);
            assertThat(formatType.get(0)).containsEntry("oid", 1081L).containsEntry("prorettype", (long) PgType.TEXT.oid());
            assertThat(f.call("pg_get_function_result", 1081L)).isEqualTo("text");
            assertThat(f.call("pg_get_function_arguments", 1081L)).isEqualTo("oid, integer");
        }
    }

    @Test
    void identifiersParseAsPostgres() {
        assertThat(Identifiers.parseQualified("Public.\"My.T\"")).containsExactly("public", "My.T");
        assertThat(Identifiers.parseQualified("\"a\"\"b\"")).containsExactly("a\"b");
        assertThatThrownBy(() -> Identifiers.parseQualified("a..b")).isInstanceOfSatisfying(LrepException.class,
                e -> assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_NAME));
    }
}
