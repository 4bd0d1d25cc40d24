package io.lrep.node.sql.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.types.PgType;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.SystemView;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Every relation's columns against PostgreSQL 15's, as captured from a real server with
 * {@code SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'x'::regclass
 * AND attnum > 0 ORDER BY attnum} (resource pg15-columns.txt).
 */
class SystemCatalogColumnsTest {

    /** How PostgreSQL's column types are served (see CatalogColumns for the substitutions). */
    private static final Map<String, PgType> SERVED_AS = Map.ofEntries(Map.entry("oid", PgType.OID),
            Map.entry("boolean", PgType.BOOL), Map.entry("text", PgType.TEXT), Map.entry("name", PgType.NAME),
            Map.entry("\"char\"", PgType.CHAR), Map.entry("integer", PgType.INT4), Map.entry("smallint", PgType.INT2),
            Map.entry("bigint", PgType.INT8), Map.entry("real", PgType.FLOAT4), Map.entry("regproc", PgType.REGPROC),
            Map.entry("regtype", PgType.REGTYPE), Map.entry("text[]", PgType.TEXT_ARRAY), Map.entry("oid[]", PgType.OID_ARRAY),
            Map.entry("smallint[]", PgType.INT2_ARRAY), Map.entry("\"char\"[]", PgType.CHAR_ARRAY),
            Map.entry("int2vector", PgType.INT2VECTOR), Map.entry("oidvector", PgType.OIDVECTOR), Map.entry("bytea", PgType.BYTEA),
            Map.entry("timestamp with time zone", PgType.TIMESTAMPTZ),
            // types lrep does not have
            Map.entry("xid", PgType.OID), Map.entry("pg_node_tree", PgType.TEXT), Map.entry("inet", PgType.TEXT),
            Map.entry("anyarray", PgType.TEXT), Map.entry("aclitem[]", PgType.TEXT_ARRAY),
            // information_schema's domains, as their base types
            Map.entry("information_schema.sql_identifier", PgType.NAME),
            Map.entry("information_schema.character_data", PgType.VARCHAR),
            Map.entry("information_schema.yes_or_no", PgType.VARCHAR),
            Map.entry("information_schema.cardinal_number", PgType.INT4));

    record Reference(String schema, String name, int oid, List<String[]> columns) {}

    static Map<String, Reference> reference() throws IOException {
        Map<String, Reference> out = new LinkedHashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(SystemCatalogColumnsTest.class.getResourceAsStream("pg15-columns.txt")), StandardCharsets.UTF_8))) {
            Reference cur = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("== ")) {
                    String[] f = line.split(" ");
                    String[] qn = f[1].split("\\.");
                    cur = new Reference(qn[0], qn[1], Integer.parseInt(f[2]), new ArrayList<>());
                    out.put(f[1], cur);
                } else if (!line.isBlank()) {
                    cur.columns().add(line.split("\\|", 2));
                }
            }
        }
        return out;
    }

    @Test
    void everyCapturedRelationIsServedWithPostgresColumnsInOrder() throws IOException {
        Map<String, SystemView> served = new LinkedHashMap<>();
        for (SystemView v : new SystemCatalog().views()) {
            served.put(v.schema() + "." + v.name(), v);
        }
        Map<String, Reference> reference = reference();
        assertThat(served.keySet()).containsExactlyInAnyOrderElementsOf(reference.keySet());
        for (Reference ref : reference.values()) {
            SystemView v = served.get(ref.schema() + "." + ref.name());
            assertThat(v.oid()).as("oid of %s", ref.name()).isEqualTo(ref.oid());
            List<String> expected = new ArrayList<>();
            for (String[] c : ref.columns()) {
                PgType type = SERVED_AS.get(c[1]);
                assertThat(type).as("mapping for %s", c[1]).isNotNull();
                expected.add(c[0] + " " + type);
            }
            List<String> actual = new ArrayList<>();
            for (ColumnInfo c : v.columns()) {
                actual.add(c.name() + " " + c.type());
            }
            assertThat(actual).as("columns of %s.%s", ref.schema(), ref.name()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void everyRowMatchesItsColumnsWidthAndTypes() {
        try (CatalogFixture f = new CatalogFixture()) {
            for (SystemView v : f.catalog.views()) {
                var it = v.rows(f);
                while (it.hasNext()) {
                    Object[] row = it.next();
                    assertThat(row).as("row width of %s", v.name()).hasSize(v.columns().size());
                    for (int k = 0; k < row.length; k++) {
                        PgType type = v.columns().get(k).type();
                        if (row[k] == null) {
                            continue;
                        }
                        assertThat(row[k]).as("%s.%s", v.name(), v.columns().get(k).name()).isInstanceOf(type.javaClass());
                        if (type.elementType() != null) {
                            for (Object e : (Object[]) row[k]) {
                                assertThat(e).as("element of %s.%s", v.name(), v.columns().get(k).name())
                                        .isInstanceOfAny(type.elementType().javaClass());
                            }
                        }
                    }
                }
            }
        }
    }
}
