package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ReplicaIdentity;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.ast.AlterTableCmd;
import io.lrep.node.sql.ast.ColumnDefinition;
import io.lrep.node.sql.ast.Constraint;
import io.lrep.node.sql.ast.Ident;
import io.lrep.node.sql.ast.QualifiedName;
import io.lrep.node.sql.ast.Query;
import io.lrep.node.sql.ast.QueryExpr;
import io.lrep.node.sql.ast.SelectItem;
import io.lrep.node.sql.ast.SequenceOption;
import io.lrep.node.sql.ast.Statement;
import io.lrep.node.sql.parser.SqlParser;
import io.lrep.publisher.publication.Publications;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns parsed statements into {@link Planned} ones: name resolution, types and plans for
 * queries and DML; DDL, roles, settings and utility statements as commands.
 *
 * <p>Decisions: UNIQUE, CHECK, FOREIGN KEY and EXCLUDE constraints are rejected with 0A000
 * ("... constraints are not supported"); CREATE INDEX on exactly the primary key columns is a
 * no-op success (the key is already indexed), any other index 0A000; COMMENT, GRANT, REVOKE,
 * VACUUM, ANALYZE, LOCK, LISTEN/UNLISTEN/NOTIFY are accepted and do nothing; SELECT ... FOR
 * UPDATE/SHARE runs without row locks; SERIALIZABLE runs as REPEATABLE READ.
 */
final class Analyzer {

    /** One parsed statement and its text. */
    record Parsed(String text, Statement statement) {}

    private final ExecSession session;
    private final Transaction txn;
    private final ParamTypes params;
    private final QueryPlanner planner;
    private final Binder binder;

    Analyzer(ExecSession session, Transaction txn, ParamTypes params) {
        this.session = session;
        this.txn = txn;
        this.params = params;
        this.planner = new QueryPlanner(session, params);
        this.binder = planner.binder;
    }

    static List<Parsed> parse(String sql) {
        List<Parsed> out = new ArrayList<>();
        for (Statement s : SqlParser.parse(sql)) {
            out.add(new Parsed(s.span().text(), s));
        }
        return out;
    }

    static boolean isTransactionControl(Parsed p) {
        return p != null && (p.statement() instanceof Statement.Transaction || p.statement() instanceof Statement.SetTransaction);
    }

    private static LrepException unsupported(String what, int pos) {
        return new LrepException(SqlState.FEATURE_NOT_SUPPORTED, what + " is not supported").withPosition(pos);
    }

    Planned analyze(Parsed p) {
        Statement s = p.statement();
        if (s instanceof Statement.Select sel) {
            QueryPlanner.Result r = regNames(planner.planQuery(sel.query(), null));
            boolean forUpdate = !sel.query().locking().isEmpty();
            return new Planned.Query(r.plan(), textColumns(r.columns()), planner.deps, forUpdate);
        }
        if (s instanceof Statement.Insert ins) {
            return insert(ins);
        }
        if (s instanceof Statement.Update up) {
            return update(up);
        }
        if (s instanceof Statement.Delete del) {
            return delete(del);
        }
        if (s instanceof Statement.Transaction t) {
            return transaction(t);
        }
        if (s instanceof Statement.SetTransaction st) {
            if (st.session()) {
                return utility(ex -> {
                    if (st.modes().isolation() != null) {
                        session.settings.set("default_transaction_isolation", st.modes().isolation(), false, true);
                    }
                    if (st.modes().readOnly() != null) {
                        session.settings.set("default_transaction_read_only", st.modes().readOnly() ? "on" : "off", false, true);
                    }
                    return Planned.Outcome.of("SET");
                });
            }
            return new Planned.Txn(Planned.Txn.Op.SET_TRANSACTION, null, st.modes().isolation(), st.modes().readOnly(), false);
        }
        if (s instanceof Statement.SetVariable sv) {
            return setVariable(sv);
        }
        if (s instanceof Statement.Show sh) {
            return show(sh);
        }
        if (s instanceof Statement.Reset r) {
            return utility(ex -> {
                if (r.name().equals("all")) {
                    session.settings.resetAll();
                } else {
                    session.settings.set(r.name(), null, false, true);
                }
                return Planned.Outcome.of("RESET");
            });
        }
        if (s instanceof Statement.Discard d) {
            return utility(ex -> {
                if (d.what().equals("all")) {
                    if (session.inBlock()) {
                        throw new LrepException(SqlState.ACTIVE_SQL_TRANSACTION, "DISCARD ALL cannot run inside a transaction block");
                    }
                    session.settings.resetAll();
                }
                return Planned.Outcome.of("DISCARD " + d.what().toUpperCase(Locale.ROOT));
            });
        }
        if (s instanceof Statement.Truncate t) {
            return truncate(t);
        }
        if (s instanceof Statement.Copy c) {
            return CopyPlanner.plan(this, c);
        }
        if (s instanceof Statement.CreateSchema cs) {
            return command(ex -> Ddl.createSchema(session, cs), "CREATE SCHEMA");
        }
        if (s instanceof Statement.Drop d) {
            return command(ex -> Ddl.drop(session, d), "DROP");
        }
        if (s instanceof Statement.CreateTable ct) {
            if (ct.asQuery() != null) {
                return createTableAs(ct);
            }
            return command(ex -> Ddl.createTable(session, this, ct), "CREATE TABLE");
        }
        if (s instanceof Statement.AlterTable at) {
            return command(ex -> Ddl.alterTable(session, this, at), "ALTER TABLE");
        }
        if (s instanceof Statement.CreateIndex ci) {
            return command(ex -> Ddl.createIndex(session, this, ci), "CREATE INDEX");
        }
        if (s instanceof Statement.CreateSequence cs) {
            return command(ex -> Ddl.createSequence(session, cs), "CREATE SEQUENCE");
        }
        if (s instanceof Statement.AlterSequence as) {
            return command(ex -> Ddl.alterSequence(session, as), "ALTER SEQUENCE");
        }
        if (s instanceof Statement.CreateView cv) {
            throw unsupported("CREATE VIEW", cv.pos());
        }
        if (s instanceof Statement.Comment) {
            return utility(ex -> Planned.Outcome.of("COMMENT"));
        }
        if (s instanceof Statement.Grant g) {
            return utility(ex -> Planned.Outcome.of(g.grant() ? "GRANT" : "REVOKE"));
        }
        if (s instanceof io.lrep.node.sql.ast.PublicationStatement ps) {
            String tag = ps instanceof io.lrep.node.sql.ast.PublicationStatement.Create ? "CREATE PUBLICATION" : "ALTER PUBLICATION";
            return command(ex -> PublicationDdl.execute(session, this, ps), tag);
        }
        if (s instanceof io.lrep.node.sql.ast.SubscriptionStatement ss) {
            String tag = ss instanceof io.lrep.node.sql.ast.SubscriptionStatement.Create ? "CREATE SUBSCRIPTION" : "ALTER SUBSCRIPTION";
            return command(ex -> SubscriptionDdl.execute(session, ss), tag);
        }
        if (s instanceof Statement.CreateRole cr) {
            return command(ex -> RoleDdl.create(session, cr), "CREATE ROLE");
        }
        if (s instanceof Statement.AlterRole ar) {
            return command(ex -> RoleDdl.alter(session, ar), "ALTER ROLE");
        }
        if (s instanceof Statement.RenameRole rr) {
            return command(ex -> RoleDdl.rename(session, rr), "ALTER ROLE");
        }
        if (s instanceof Statement.AlterRoleSet) {
            return utility(ex -> Planned.Outcome.of("ALTER ROLE"));
        }
        if (s instanceof Statement.DropRole dr) {
            return command(ex -> RoleDdl.drop(session, dr), "DROP ROLE");
        }
        if (s instanceof Statement.Explain e) {
            return explain(e);
        }
        if (s instanceof Statement.Vacuum v) {
            String tag = v.vacuum() ? "VACUUM" : "ANALYZE";
            return new Planned.Command(ex -> {
                if (v.vacuum()) {
                    ex.storage().vacuum();
                }
                return Planned.Outcome.of(tag);
            }, List.of(), List.of(), null, v.vacuum() ? "VACUUM" : null, true);
        }
        if (s instanceof Statement.Checkpoint) {
            return utility(ex -> {
                if (!session.superuser()) {
                    throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "must be superuser to do CHECKPOINT");
                }
                session.engine.checkpoint();
                return Planned.Outcome.of("CHECKPOINT");
            });
        }
        if (s instanceof Statement.Lock l) {
            return new Planned.Command(ex -> {
                if (!session.inBlock()) {
                    throw new LrepException(SqlState.NO_ACTIVE_SQL_TRANSACTION, "LOCK TABLE can only be used in transaction blocks");
                }
                for (QualifiedName n : l.tables()) {
                    planner.relation(n);
                }
                return Planned.Outcome.of("LOCK TABLE");
            }, List.of(), List.of(), null, null, false);
        }
        if (s instanceof Statement.Listen) {
            return utility(ex -> Planned.Outcome.of("LISTEN"));
        }
        if (s instanceof Statement.Unlisten) {
            return utility(ex -> Planned.Outcome.of("UNLISTEN"));
        }
        if (s instanceof Statement.Notify) {
            return utility(ex -> Planned.Outcome.of("NOTIFY"));
        }
        if (s instanceof Statement.Deallocate d) {
            return utility(ex -> Planned.Outcome.of(d.name() == null ? "DEALLOCATE ALL" : "DEALLOCATE"));
        }
        if (s instanceof Statement.Do d) {
            throw unsupported("DO", d.pos());
        }
        throw unsupported(s.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toUpperCase(Locale.ROOT), s.pos());
    }

    /**
     * Result columns of reg* types are sent as the objects' names (as their output functions
     * print them) in text columns: the wire value of a reg* is otherwise just the oid.
     */
    private QueryPlanner.Result regNames(QueryPlanner.Result r) {
        boolean any = false;
        for (ColumnInfo c : r.columns()) {
            any |= Ops.isReg(c.type());
        }
        if (!any) {
            return r;
        }
        List<Expr> exprs = new ArrayList<>();
        List<ColumnInfo> cols = new ArrayList<>();
        for (int i = 0; i < r.columns().size(); i++) {
            ColumnInfo c = r.columns().get(i);
            Expr col = new Expr.Column(c.type(), c.typmod(), 0, i, c.name(), c.tableOid(), c.attnum());
            if (Ops.isReg(c.type())) {
                exprs.add(binder.castTo(col, PgType.TEXT, -1, 0));
                cols.add(new ColumnInfo(c.name(), PgType.TEXT, -1, c.tableOid(), c.attnum()));
            } else {
                exprs.add(col);
                cols.add(c);
            }
        }
        return new QueryPlanner.Result(new Plan.Project(r.plan(), exprs), cols, r.correlated());
    }

    private static List<ColumnInfo> textColumns(List<ColumnInfo> cols) {
        List<ColumnInfo> out = new ArrayList<>();
        for (ColumnInfo c : cols) {
            out.add(c.type() == PgType.UNKNOWN ? new ColumnInfo(c.name(), PgType.TEXT, -1, c.tableOid(), c.attnum()) : c);
        }
        return out;
    }

    private Planned utility(Planned.Action a) {
        return new Planned.Command(a, List.of(), List.of(), null, null, true);
    }

    private Planned command(Planned.Action a, String verb) {
        return new Planned.Command(a, List.of(), List.of(), verb, null, false);
    }

    // ---------------------------------------------------------------- transactions, settings

    private Planned transaction(Statement.Transaction t) {
        Planned.Txn.Op op = switch (t.kind()) {
            case BEGIN, START -> Planned.Txn.Op.BEGIN;
            case COMMIT -> Planned.Txn.Op.COMMIT;
            case ROLLBACK -> Planned.Txn.Op.ROLLBACK;
            case SAVEPOINT -> Planned.Txn.Op.SAVEPOINT;
            case RELEASE -> Planned.Txn.Op.RELEASE;
            case ROLLBACK_TO -> Planned.Txn.Op.ROLLBACK_TO;
            default -> throw unsupported("prepared transactions", t.pos());
        };
        String iso = t.modes() == null ? null : t.modes().isolation();
        Boolean ro = t.modes() == null ? null : t.modes().readOnly();
        return new Planned.Txn(op, t.name(), iso, ro, t.chain());
    }

    private Planned setVariable(Statement.SetVariable sv) {
        String value;
        if (sv.toDefault()) {
            value = null;
        } else {
            List<String> parts = new ArrayList<>();
            for (Statement.SetValue v : sv.values()) {
                parts.add(v.text());
            }
            value = String.join(", ", parts);
            if (sv.name().equals("search_path")) {
                List<String> quoted = new ArrayList<>();
                for (Statement.SetValue v : sv.values()) {
                    String x = v.text();
                    quoted.add(x.equals("$user") || !x.equals(x.toLowerCase(Locale.ROOT)) || x.contains(" ") ? "\"" + x + "\"" : x);
                }
                value = String.join(", ", quoted);
            }
        }
        String name = sv.name();
        boolean local = sv.local();
        String finalValue = value;
        if (name.equals("role") || name.equals("session_authorization")) {
            return utility(ex -> Planned.Outcome.of("SET"));
        }
        return utility(ex -> {
            if (!SessionSettings.exists(name) && (name.equals("transaction_isolation") || name.equals("transaction_read_only"))) {
                throw new LrepException(SqlState.CANT_CHANGE_RUNTIME_PARAM, "parameter \"" + name + "\" cannot be changed now");
            }
            if (local && !session.inBlock()) {
                session.notice("WARNING", SqlState.NO_ACTIVE_SQL_TRANSACTION, "SET LOCAL can only be used in transaction blocks");
            }
            session.settings.set(name, finalValue, local, true);
            return Planned.Outcome.of("SET");
        });
    }

    private Planned show(Statement.Show sh) {
        if (sh.name().equals("all")) {
            return new Planned.Command(ex -> {
                List<Object[]> rows = new ArrayList<>();
                for (String[] r : session.settings.all()) {
                    rows.add(new Object[] {r[0], r[1], r[2]});
                }
                return new Planned.Outcome("SHOW", rows);
            }, List.of(ColumnInfo.of("name", PgType.TEXT), ColumnInfo.of("setting", PgType.TEXT), ColumnInfo.of("description", PgType.TEXT)),
                    List.of(), null, null, true);
        }
        String name = sh.name();
        if (session.settings.find(name) == null) {
            throw SessionSettings.unknown(name);
        }
        return new Planned.Command(ex -> new Planned.Outcome("SHOW", List.<Object[]>of(new Object[] {session.settings.show(name)})),
                List.of(ColumnInfo.of(SessionSettings.canonicalName(name), PgType.TEXT)), List.of(), null, null, true);
    }

    private Planned explain(Statement.Explain e) {
        Planned inner = analyze(new Parsed(e.span().text(), e.statement()));
        String text;
        if (inner instanceof Planned.Query q) {
            text = q.plan.describe();
        } else {
            text = e.statement().getClass().getSimpleName();
        }
        return new Planned.Command(ex -> new Planned.Outcome("EXPLAIN", List.<Object[]>of(new Object[] {text})),
                List.of(ColumnInfo.of("QUERY PLAN", PgType.TEXT)), List.of(), null, null, true);
    }

    // ---------------------------------------------------------------- DML

    TableDef writableTable(QualifiedName name) {
        Binder.Relation rel = planner.relation(name);
        if (rel.table() == null) {
            String what = rel.view() != null ? "view" : "sequence";
            throw new LrepException(SqlState.WRONG_OBJECT_TYPE, "cannot change " + what + " \"" + name.name() + "\"").withPosition(name.pos());
        }
        planner.deps.add(rel.table());
        return rel.table();
    }

    /** The scope of a DML statement's target table (its full-width row at offset 0). */
    private Scope tableScope(TableDef t, String alias) {
        Scope s = new Scope(null);
        Scope.Entry e = new Scope.Entry(alias != null ? alias : t.name(), t.oid(), t);
        for (ColumnDef c : t.columns()) {
            if (!c.dropped()) {
                e.add(c.name(), c.type(), c.typmod(), c.attnum() - 1);
            }
        }
        s.add(e);
        s.width = t.columns().size();
        return s;
    }

    /** A column's default as an expression (identity: the sequence's next value). */
    Expr defaultExpr(TableDef t, ColumnDef c) {
        if (c.isIdentity() && c.identitySequenceOid() != 0) {
            int seqOid = c.identitySequenceOid();
            return Expr.of(c.type(), env -> {
                SequenceDef sd = env.exec.txn.sequence(seqOid);
                long v = env.exec.session.nextval(sd);
                return Ops.promote(PgType.INT8, c.type(), v);
            });
        }
        if (c.defaultExpr() == null) {
            return null;
        }
        io.lrep.node.sql.ast.Expr ast = SqlParser.parseExpression(c.defaultExpr());
        return binder.assign(binder.bind(ast, null), c.type(), c.typmod(), 0);
    }

    private List<Expr> returning(List<SelectItem> items, Scope scope, List<ColumnInfo> cols) {
        if (items == null || items.isEmpty()) {
            return null;
        }
        List<Expr> out = new ArrayList<>();
        for (SelectItem si : items) {
            if (si.expr() instanceof io.lrep.node.sql.ast.Expr.Star) {
                for (Scope.Entry e : scope.entries) {
                    for (int i = 0; i < e.names.size(); i++) {
                        Expr.Column c = new Expr.Column(e.types.get(i), e.typmods.get(i), 0, e.indexes.get(i), e.names.get(i), 0, (short) 0);
                        out.add(c);
                        cols.add(new ColumnInfo(e.names.get(i), c.type, c.typmod, e.tableOid, (short) (e.indexes.get(i) + 1)));
                    }
                }
                continue;
            }
            Expr e = binder.bind(si.expr(), scope);
            if (e.type == PgType.UNKNOWN) {
                e = binder.coerce(e, PgType.TEXT, -1, si.pos());
            }
            out.add(e);
            String name = si.alias() != null ? si.alias() : QueryPlanner.nameOf(si.expr());
            cols.add(e instanceof Expr.Column c ? new ColumnInfo(name, e.type, e.typmod, scope.entries.get(0).tableOid, (short) (c.index + 1))
                    : new ColumnInfo(name, e.type, e.typmod, 0, (short) 0));
        }
        return out;
    }

    private Planned insert(Statement.Insert ins) {
        if (ins.with() != null) {
            throw unsupported("WITH in INSERT", ins.pos());
        }
        TableDef t = writableTable(ins.table());
        List<Integer> targets = new ArrayList<>();
        if (ins.columns() == null || ins.columns().isEmpty()) {
            for (ColumnDef c : t.columns()) {
                if (!c.dropped()) {
                    targets.add(c.attnum());
                }
            }
        } else {
            for (Ident id : ins.columns()) {
                ColumnDef c = t.column(id.name());
                if (c == null) {
                    throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + id.name() + "\" of relation \"" + t.name()
                            + "\" does not exist").withPosition(id.pos());
                }
                if (targets.contains(c.attnum())) {
                    throw new LrepException(SqlState.DUPLICATE_COLUMN, "column \"" + id.name() + "\" specified more than once")
                            .withPosition(id.pos());
                }
                targets.add(c.attnum());
            }
        }
        boolean overridingSystem = "system".equals(ins.overriding());
        boolean overridingUser = "user".equals(ins.overriding());
        Plan source;
        int[] tg;
        if (ins.source() == null) {
            tg = new int[0];
            source = new Plan.ValuesScan(0, List.of(List.of()));
        } else if (ins.source().body() instanceof QueryExpr.Values v && ins.source().orderBy().isEmpty() && ins.source().limit() == null) {
            tg = targets.stream().mapToInt(Integer::intValue).toArray();
            List<List<Expr>> rows = new ArrayList<>();
            for (List<io.lrep.node.sql.ast.Expr> row : v.rows()) {
                if (row.size() > tg.length) {
                    throw new LrepException(SqlState.SYNTAX_ERROR, "INSERT has more expressions than target columns")
                            .withPosition(row.get(tg.length).pos());
                }
                if (row.size() < tg.length) {
                    throw new LrepException(SqlState.SYNTAX_ERROR, "INSERT has more target columns than expressions")
                            .withPosition(ins.columns() != null && ins.columns().size() > row.size() ? ins.columns().get(row.size()).pos()
                                    : row.isEmpty() ? ins.pos() : row.get(0).pos());
                }
                List<Expr> out = new ArrayList<>();
                for (int i = 0; i < row.size(); i++) {
                    ColumnDef c = t.columns().get(tg[i] - 1);
                    io.lrep.node.sql.ast.Expr x = row.get(i);
                    if (x instanceof io.lrep.node.sql.ast.Expr.DefaultValue) {
                        out.add(new Expr.Const(c.type(), Dml.DEFAULT));
                        continue;
                    }
                    checkIdentity(c, overridingSystem, x.pos());
                    if (c.isIdentity() && overridingUser) {
                        out.add(new Expr.Const(c.type(), Dml.DEFAULT));
                        continue;
                    }
                    out.add(binder.assign(binder.bind(x, null), c.type(), c.typmod(), x.pos()));
                }
                rows.add(out);
            }
            source = new Plan.ValuesScan(tg.length, rows);
        } else {
            tg = targets.stream().mapToInt(Integer::intValue).toArray();
            QueryPlanner.Result r = planner.planQuery(ins.source(), null);
            if (r.columns().size() > tg.length) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "INSERT has more expressions than target columns").withPosition(ins.source().pos());
            }
            if (r.columns().size() < tg.length) {
                tg = java.util.Arrays.copyOf(tg, r.columns().size());
            }
            List<Expr> conv = new ArrayList<>();
            for (int i = 0; i < tg.length; i++) {
                ColumnDef c = t.columns().get(tg[i] - 1);
                checkIdentity(c, overridingSystem, ins.source().pos());
                ColumnInfo ci = r.columns().get(i);
                conv.add(binder.assign(new Expr.Column(ci.type(), ci.typmod(), 0, i, ci.name(), 0, (short) 0), c.type(), c.typmod(),
                        ins.source().pos()));
            }
            source = new Plan.Project(r.plan(), conv);
        }
        List<Expr> defaults = new ArrayList<>();
        for (ColumnDef c : t.columns()) {
            defaults.add(c.dropped() ? null : defaultExpr(t, c));
        }
        Dml.Conflict conflict = null;
        Scope scope = tableScope(t, ins.alias());
        if (ins.onConflict() != null) {
            conflict = onConflict(t, ins.onConflict(), ins.alias());
        }
        List<ColumnInfo> cols = new ArrayList<>();
        List<Expr> ret = returning(ins.returning(), scope, cols);
        Dml.Insert spec = new Dml.Insert(t, tg, source, defaults, conflict, ret);
        return new Planned.Command(ex -> Dml.insert(ex, spec), cols, planner.deps, "INSERT", null, false);
    }

    private static void checkIdentity(ColumnDef c, boolean overridingSystem, int pos) {
        if (c.identity() == 'a' && !overridingSystem) {
            throw new LrepException(SqlState.GENERATED_ALWAYS, "cannot insert a non-DEFAULT value into column \"" + c.name() + "\"")
                    .withDetail("Column \"" + c.name() + "\" is an identity column defined as GENERATED ALWAYS.")
                    .withHint("Use OVERRIDING SYSTEM VALUE to override.").withPosition(pos);
        }
    }

    private Dml.Conflict onConflict(TableDef t, Statement.OnConflict oc, String alias) {
        if (oc.columns() != null && !oc.columns().isEmpty()) {
            List<Integer> cols = new ArrayList<>();
            for (Ident id : oc.columns()) {
                ColumnDef c = t.column(id.name());
                if (c == null) {
                    throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + id.name() + "\" does not exist").withPosition(id.pos());
                }
                cols.add(c.attnum());
            }
            if (!new java.util.HashSet<>(cols).equals(new java.util.HashSet<>(t.primaryKey()))) {
                throw new LrepException(SqlState.INVALID_COLUMN_REFERENCE,
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification").withPosition(oc.pos());
            }
        } else if (oc.constraint() != null && !oc.constraint().equals(t.pkeyName())) {
            throw new LrepException(SqlState.UNDEFINED_OBJECT, "constraint \"" + oc.constraint() + "\" for table \"" + t.name()
                    + "\" does not exist").withPosition(oc.pos());
        } else if (oc.doUpdate()) {
            throw new LrepException(SqlState.SYNTAX_ERROR, "ON CONFLICT DO UPDATE requires inference specification or constraint name")
                    .withHint("For example, ON CONFLICT (column_name).").withPosition(oc.pos());
        }
        if (!t.hasPrimaryKey()) {
            throw new LrepException(SqlState.INVALID_COLUMN_REFERENCE,
                    "there is no unique or exclusion constraint matching the ON CONFLICT specification").withPosition(oc.pos());
        }
        if (!oc.doUpdate()) {
            return new Dml.Conflict(null, null, null);
        }
        Scope scope = tableScope(t, alias);
        Scope.Entry ex = new Scope.Entry("excluded", t.oid(), null);
        for (ColumnDef c : t.columns()) {
            if (!c.dropped()) {
                ex.add(c.name(), c.type(), c.typmod(), t.columns().size() + c.attnum() - 1);
            }
        }
        ex.offset = t.columns().size();
        scope.add(ex);
        scope.width = 2 * t.columns().size();
        List<Integer> attnums = new ArrayList<>();
        List<Expr> exprs = new ArrayList<>();
        setClauses(t, oc.set(), scope, attnums, exprs);
        Expr where = oc.where() == null ? null : binder.coerceBool(binder.bind(oc.where(), scope), "WHERE", oc.where().pos());
        return new Dml.Conflict(attnums.stream().mapToInt(Integer::intValue).toArray(), exprs, where);
    }

    private void setClauses(TableDef t, List<Statement.SetClause> set, Scope scope, List<Integer> attnums, List<Expr> exprs) {
        for (Statement.SetClause sc : set) {
            List<io.lrep.node.sql.ast.Expr> values;
            if (sc.columns().size() == 1) {
                values = List.of(sc.value());
            } else if (sc.value() instanceof io.lrep.node.sql.ast.Expr.RowConstructor rc) {
                values = rc.fields();
                if (values.size() != sc.columns().size()) {
                    throw new LrepException(SqlState.SYNTAX_ERROR, "number of columns does not match number of values").withPosition(sc.pos());
                }
            } else {
                throw unsupported("multiple-column UPDATE from a subquery", sc.pos());
            }
            for (int i = 0; i < sc.columns().size(); i++) {
                Ident id = sc.columns().get(i);
                ColumnDef c = t.column(id.name());
                if (c == null) {
                    throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + id.name() + "\" of relation \"" + t.name()
                            + "\" does not exist").withPosition(id.pos());
                }
                if (attnums.contains(c.attnum())) {
                    throw new LrepException(SqlState.SYNTAX_ERROR, "multiple assignments to same column \"" + id.name() + "\"")
                            .withPosition(id.pos());
                }
                io.lrep.node.sql.ast.Expr v = values.get(i);
                Expr e;
                if (v instanceof io.lrep.node.sql.ast.Expr.DefaultValue) {
                    Expr d = defaultExpr(t, c);
                    e = d == null ? new Expr.Const(c.type(), null) : d;
                } else {
                    if (c.identity() == 'a') {
                        throw new LrepException(SqlState.GENERATED_ALWAYS, "column \"" + c.name() + "\" can only be updated to DEFAULT")
                                .withDetail("Column \"" + c.name() + "\" is an identity column defined as GENERATED ALWAYS.")
                                .withPosition(id.pos());
                    }
                    e = binder.assign(binder.bind(v, scope), c.type(), c.typmod(), v.pos());
                }
                attnums.add(c.attnum());
                exprs.add(e);
            }
        }
    }

    private Dml.Target target(TableDef t, Scope scope, io.lrep.node.sql.ast.Expr where) {
        if (where == null) {
            return new Dml.Target(t, null, null);
        }
        binder.noAggregates = "WHERE";
        Expr filter = binder.coerceBool(binder.bind(where, scope), "WHERE", where.pos());
        List<Expr> key = planner.pkKey(t, scope, where);
        binder.noAggregates = null;
        return new Dml.Target(t, key, filter);
    }

    private Planned update(Statement.Update up) {
        if (up.with() != null) {
            throw unsupported("WITH in UPDATE", up.pos());
        }
        if (up.from() != null && !up.from().isEmpty()) {
            throw unsupported("UPDATE ... FROM", up.from().get(0).pos());
        }
        TableDef t = writableTable(up.table());
        Scope scope = tableScope(t, up.alias());
        List<Integer> attnums = new ArrayList<>();
        List<Expr> exprs = new ArrayList<>();
        setClauses(t, up.set(), scope, attnums, exprs);
        Dml.Target target = target(t, scope, up.where());
        List<ColumnInfo> cols = new ArrayList<>();
        List<Expr> ret = returning(up.returning(), scope, cols);
        Dml.Update spec = new Dml.Update(target, attnums.stream().mapToInt(Integer::intValue).toArray(), exprs, ret);
        return new Planned.Command(ex -> {
            Publications.checkModify(ex.txn, ex.txn.table(t.oid()), true, session.engine.rowFilters());
            return Dml.update(ex, spec);
        }, cols, planner.deps, "UPDATE", null, false);
    }

    private Planned delete(Statement.Delete del) {
        if (del.with() != null) {
            throw unsupported("WITH in DELETE", del.pos());
        }
        if (del.using() != null && !del.using().isEmpty()) {
            throw unsupported("DELETE ... USING", del.using().get(0).pos());
        }
        TableDef t = writableTable(del.table());
        Scope scope = tableScope(t, del.alias());
        Dml.Target target = target(t, scope, del.where());
        List<ColumnInfo> cols = new ArrayList<>();
        List<Expr> ret = returning(del.returning(), scope, cols);
        Dml.Delete spec = new Dml.Delete(target, ret);
        return new Planned.Command(ex -> {
            Publications.checkModify(ex.txn, ex.txn.table(t.oid()), false, session.engine.rowFilters());
            return Dml.delete(ex, spec);
        }, cols, planner.deps, "DELETE", null, false);
    }

    private Planned truncate(Statement.Truncate tr) {
        List<TableDef> tables = new ArrayList<>();
        for (QualifiedName n : tr.tables()) {
            tables.add(writableTable(n));
        }
        boolean restart = tr.restartIdentity();
        return new Planned.Command(ex -> {
            List<TableDef> current = new ArrayList<>();
            for (TableDef t : tables) {
                current.add(ex.txn.table(t.oid()));
            }
            ex.txn.truncate(restart, current.toArray(new TableDef[0]));
            return Planned.Outcome.of("TRUNCATE TABLE");
        }, List.of(), planner.deps, "TRUNCATE TABLE", null, false);
    }

    private Planned createTableAs(Statement.CreateTable ct) {
        QueryPlanner.Result r = planner.planQuery(ct.asQuery(), null);
        List<ColumnInfo> cols = textColumns(r.columns());
        return command(ex -> {
            List<ColumnDef> defs = new ArrayList<>();
            for (int i = 0; i < cols.size(); i++) {
                String name = ct.asColumns() != null && i < ct.asColumns().size() ? ct.asColumns().get(i) : cols.get(i).name();
                defs.add(ColumnDef.of(name, cols.get(i).type()).withTypmod(cols.get(i).typmod()));
            }
            String schema = ct.name().schema() != null ? ct.name().schema() : session.creationSchema();
            if (ct.ifNotExists() && ex.txn.findTable(schema, ct.name().name()) != null) {
                session.notice("NOTICE", SqlState.DUPLICATE_TABLE, "relation \"" + ct.name().name() + "\" already exists, skipping");
                return Planned.Outcome.of("CREATE TABLE AS");
            }
            TableDef t = ex.txn.createTable(schema, ct.name().name(), defs, List.of());
            long n = 0;
            if (ct.withData()) {
                RowIter it = r.plan().open(ex, null);
                Object[] row;
                while ((row = it.next()) != null) {
                    Object[] full = new Object[t.columns().size()];
                    for (int i = 0; i < full.length; i++) {
                        full[i] = cols.get(i).type() == PgType.TEXT && row[i] != null && !(row[i] instanceof String) ? row[i].toString() : row[i];
                    }
                    ex.txn.insert(t, full);
                    n++;
                }
            }
            return Planned.Outcome.of("SELECT " + n);
        }, "CREATE TABLE AS");
    }

    // accessors for the DDL helpers

    Binder binder() {
        return binder;
    }

    QueryPlanner planner() {
        return planner;
    }

    Transaction txn() {
        return txn;
    }

    ParamTypes params() {
        return params;
    }

    static ReplicaIdentity replicaIdentity(AlterTableCmd.ReplicaIdentity ri) {
        return switch (ri.kind()) {
            case DEFAULT, INDEX -> ReplicaIdentity.DEFAULT;
            case FULL -> ReplicaIdentity.FULL;
            case NOTHING -> ReplicaIdentity.NOTHING;
        };
    }

    static List<Constraint> constraintsOf(ColumnDefinition c) {
        return c.constraints() == null ? List.of() : c.constraints();
    }

    static List<SequenceOption> options(List<SequenceOption> o) {
        return o == null ? List.of() : o;
    }

    static Query unused(Query q) {
        return q;
    }
}
