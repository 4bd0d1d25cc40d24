package io.lrep.node.sql.catalog;

import io.lrep.apply.OriginRegistry;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.CatalogExtension;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import java.util.ArrayList;
import java.util.List;

/**
 * Replication origins in SQL, as PostgreSQL 15 has them: the view
 * {@code pg_replication_origin_status} (local_id, external_id, remote_lsn, local_lsn) and the
 * functions {@code pg_replication_origin_create(text)}, {@code pg_replication_origin_drop(text)},
 * {@code pg_replication_origin_oid(text)} (NULL when missing),
 * {@code pg_replication_origin_progress(text, boolean)} and
 * {@code pg_replication_origin_advance(text, pg_lsn)}. The apply workers' origins are named
 * {@code pg_<subscription oid>}.
 */
public final class ReplicationOriginCatalog implements CatalogExtension {

    private static final List<ColumnInfo> STATUS = List.of(
            ColumnInfo.of("local_id", PgType.OID),
            ColumnInfo.of("external_id", PgType.TEXT),
            ColumnInfo.of("remote_lsn", PgType.PG_LSN),
            ColumnInfo.of("local_lsn", PgType.PG_LSN));

    private final List<SystemView> views;
    private final List<SqlFunction> functions;

    public ReplicationOriginCatalog(OriginRegistry origins) {
        // 12332: PostgreSQL 15's oid of pg_replication_origin_status
        this.views = List.of(SystemView.of("pg_replication_origin_status", 12332, STATUS, context -> {
            List<Object[]> rows = new ArrayList<>();
            for (OriginRegistry.OriginStatus s : origins.status()) {
                rows.add(new Object[] {(long) s.localId(), s.externalId(), Lsn.of(s.remoteLsn()), Lsn.of(s.localLsn())});
            }
            return rows;
        }));
        PgType text = PgType.TEXT;
        this.functions = List.of(
                volatileFunction("pg_replication_origin_create", List.of(text), PgType.OID,
                        (c, a) -> (long) origins.create(c.transaction(), (String) a[0])),
                volatileFunction("pg_replication_origin_drop", List.of(text), PgType.VOID, (c, a) -> {
                    origins.drop(c.transaction(), (String) a[0], false);
                    return "";
                }),
                volatileFunction("pg_replication_origin_oid", List.of(text), PgType.OID, (c, a) -> {
                    int oid = origins.oid((String) a[0]);
                    return oid == 0 ? null : (long) oid;
                }),
                volatileFunction("pg_replication_origin_progress", List.of(text, PgType.BOOL), PgType.PG_LSN, (c, a) -> {
                    long remote = origins.originProgress((String) a[0]).remoteLsn();
                    return remote == 0 ? null : Lsn.of(remote);
                }),
                volatileFunction("pg_replication_origin_advance", List.of(text, PgType.PG_LSN), PgType.VOID, (c, a) -> {
                    origins.advance((String) a[0], ((Lsn) a[1]).value());
                    return "";
                }));
    }

    private static SqlFunction volatileFunction(String name, List<PgType> args, PgType result, SqlFunction.Scalar impl) {
        return new SqlFunction("pg_catalog", name, args, false, result, true, true, impl, false, List.of(), null);
    }

    @Override
    public List<SystemView> views() {
        return views;
    }

    @Override
    public List<SqlFunction> functions() {
        return functions;
    }
}
