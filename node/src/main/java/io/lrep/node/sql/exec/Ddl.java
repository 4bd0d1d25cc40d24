package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.ast.AlterTableCmd;
import io.lrep.node.sql.ast.ColumnDefinition;
import io.lrep.node.sql.ast.Constraint;
import io.lrep.node.sql.ast.Ident;
import io.lrep.node.sql.ast.QualifiedName;
import io.lrep.node.sql.ast.SequenceOption;
import io.lrep.node.sql.ast.Statement;
import io.lrep.node.sql.parser.SqlParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** DDL mapped to storage's catalog: schemas, tables, columns, sequences, (primary key) indexes. */
final class Ddl {

    private Ddl() {}

    static Planned.Outcome createSchema(ExecSession s, Statement.CreateSchema cs) {
        Transaction t = s.txn;
        if (cs.elements() != null && !cs.elements().isEmpty()) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "CREATE SCHEMA with schema elements is not supported");
        }
        String name = cs.name() != null ? cs.name() : cs.authorization() != null ? cs.authorization().name() : null;
        if (name.startsWith("pg_")) {
            throw new LrepException(SqlState.RESERVED_NAME, "unacceptable schema name \"" + name + "\"")
                    .withDetail("The prefix \"pg_\" is reserved for system schemas.");
        }
        if (t.findSchema(name) != null && cs.ifNotExists()) {
            s.notice("NOTICE", SqlState.DUPLICATE_SCHEMA, "schema \"" + name + "\" already exists, skipping");
            return Planned.Outcome.of("CREATE SCHEMA");
        }
        t.createSchema(name);
        return Planned.Outcome.of("CREATE SCHEMA");
    }

    /** The table a possibly unqualified name means (first search-path schema holding it), or null. */
    static TableDef findTable(ExecSession s, QualifiedName n) {
        if (n.schema() != null) {
            return s.txn.findTable(n.schema(), n.name());
        }
        for (String sc : s.existingSearchPath(true)) {
            TableDef t = s.txn.findTable(sc, n.name());
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    static SequenceDef findSequence(ExecSession s, QualifiedName n) {
        if (n.schema() != null) {
            return s.txn.findSequence(n.schema(), n.name());
        }
        for (String sc : s.existingSearchPath(true)) {
            SequenceDef t = s.txn.findSequence(sc, n.name());
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    static Planned.Outcome drop(ExecSession s, Statement.Drop d) {
        Transaction t = s.txn;
        switch (d.type()) {
            case TABLE -> {
                for (QualifiedName n : d.names()) {
                    TableDef td = findTable(s, n);
                    if (td == null) {
                        if (findSequence(s, n) != null) {
                            throw new LrepException(SqlState.WRONG_OBJECT_TYPE, "\"" + n.name() + "\" is not a table")
                                    .withHint("Use DROP SEQUENCE to remove a sequence.");
                        }
                        if (d.ifExists()) {
                            s.notice("NOTICE", SqlState.UNDEFINED_TABLE, "table \"" + n.name() + "\" does not exist, skipping");
                            continue;
                        }
                        throw new LrepException(SqlState.UNDEFINED_TABLE, "table \"" + n + "\" does not exist");
                    }
                    io.lrep.publisher.publication.PublicationCatalog.onTableDropped(t, Integer.toUnsignedLong(td.oid()));
                    io.lrep.subscriber.subscription.SubscriptionCatalog.onTableDropped(t, Integer.toUnsignedLong(td.oid()));
                    t.dropTable(td);
                }
                return Planned.Outcome.of("DROP TABLE");
            }
            case SEQUENCE -> {
                for (QualifiedName n : d.names()) {
                    SequenceDef sd = findSequence(s, n);
                    if (sd == null) {
                        if (d.ifExists()) {
                            s.notice("NOTICE", SqlState.UNDEFINED_TABLE, "sequence \"" + n.name() + "\" does not exist, skipping");
                            continue;
                        }
                        throw new LrepException(SqlState.UNDEFINED_TABLE, "sequence \"" + n + "\" does not exist");
                    }
                    t.dropSequence(sd.schemaName(), sd.name());
                }
                return Planned.Outcome.of("DROP SEQUENCE");
            }
            case SCHEMA -> {
                for (QualifiedName n : d.names()) {
                    if (t.findSchema(n.name()) == null) {
                        if (d.ifExists()) {
                            s.notice("NOTICE", SqlState.UNDEFINED_SCHEMA, "schema \"" + n.name() + "\" does not exist, skipping");
                            continue;
                        }
                        throw new LrepException(SqlState.UNDEFINED_SCHEMA, "schema \"" + n.name() + "\" does not exist");
                    }
                    io.lrep.core.storage.SchemaDef nsp = t.findSchema(n.name());
                    List<TableDef> inSchema = t.tables().stream().filter(td -> td.schemaOid() == nsp.oid()).toList();
                    t.dropSchema(n.name(), d.cascade());
                    // the schema's tables went with it (CASCADE): so do their and its publication memberships
                    for (TableDef gone : inSchema) {
                        io.lrep.publisher.publication.PublicationCatalog.onTableDropped(t, Integer.toUnsignedLong(gone.oid()));
                        io.lrep.subscriber.subscription.SubscriptionCatalog.onTableDropped(t, Integer.toUnsignedLong(gone.oid()));
                    }
                    io.lrep.publisher.publication.PublicationCatalog.onSchemaDropped(t, Integer.toUnsignedLong(nsp.oid()));
                }
                return Planned.Outcome.of("DROP SCHEMA");
            }
            case INDEX -> {
                for (QualifiedName n : d.names()) {
                    for (TableDef td : t.tables()) {
                        if (td.pkeyName().equals(n.name())) {
                            throw new LrepException(SqlState.DEPENDENT_OBJECTS_STILL_EXIST, "cannot drop index " + n.name()
                                    + " because constraint " + n.name() + " on table " + td.name() + " requires it")
                                    .withHint("You can drop constraint " + n.name() + " on table " + td.name() + " instead.");
                        }
                    }
                    if (!d.ifExists()) {
                        throw new LrepException(SqlState.UNDEFINED_OBJECT, "index \"" + n.name() + "\" does not exist");
                    }
                    s.notice("NOTICE", SqlState.UNDEFINED_OBJECT, "index \"" + n.name() + "\" does not exist, skipping");
                }
                return Planned.Outcome.of("DROP INDEX");
            }
            case VIEW -> {
                for (QualifiedName n : d.names()) {
                    if (!d.ifExists()) {
                        throw new LrepException(SqlState.UNDEFINED_TABLE, "view \"" + n.name() + "\" does not exist");
                    }
                    s.notice("NOTICE", SqlState.UNDEFINED_TABLE, "view \"" + n.name() + "\" does not exist, skipping");
                }
                return Planned.Outcome.of("DROP VIEW");
            }
            case PUBLICATION -> {
                return PublicationDdl.drop(s, d);
            }
            case SUBSCRIPTION -> {
                return SubscriptionDdl.drop(s, d);
            }
            default -> throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                    "DROP " + d.type().name().replace('_', ' ') + " is not supported");
        }
    }

    private record ColumnPlan(ColumnDef def, int serialKind) {}

    static Planned.Outcome createTable(ExecSession s, Analyzer a, Statement.CreateTable ct) {
        Transaction t = s.txn;
        if (ct.persistence() == Statement.Persistence.TEMPORARY) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "temporary tables are not supported");
        }
        if (ct.inherits() != null && !ct.inherits().isEmpty()) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "table inheritance is not supported");
        }
        String schema = ct.name().schema() != null ? ct.name().schema() : s.creationSchema();
        if (t.findSchema(schema) == null) {
            throw new LrepException(SqlState.UNDEFINED_SCHEMA, "schema \"" + schema + "\" does not exist").withPosition(ct.name().pos());
        }
        String name = ct.name().name();
        if (ct.ifNotExists() && (t.findTable(schema, name) != null || t.findSequence(schema, name) != null)) {
            s.notice("NOTICE", SqlState.DUPLICATE_TABLE, "relation \"" + name + "\" already exists, skipping");
            return Planned.Outcome.of("CREATE TABLE");
        }
        List<ColumnPlan> cols = new ArrayList<>();
        List<String> pk = new ArrayList<>();
        for (ColumnDefinition cd : ct.columns()) {
            cols.add(column(name, cd, pk));
        }
        for (Constraint c : ct.constraints() == null ? List.<Constraint>of() : ct.constraints()) {
            if (c instanceof Constraint.PrimaryKey p) {
                if (!pk.isEmpty()) {
                    throw new LrepException(SqlState.INVALID_TABLE_DEFINITION, "multiple primary keys for table \"" + name + "\" are not allowed")
                            .withPosition(p.pos());
                }
                for (Ident id : p.columns()) {
                    boolean found = cols.stream().anyMatch(x -> x.def().name().equals(id.name()));
                    if (!found) {
                        throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + id.name() + "\" named in key does not exist")
                                .withPosition(id.pos());
                    }
                    pk.add(id.name());
                }
            } else {
                rejectConstraint(c);
            }
        }
        List<ColumnDef> defs = new ArrayList<>();
        for (ColumnPlan cp : cols) {
            ColumnDef d = cp.def();
            if (cp.serialKind() != 0) {
                String seqName = name + "_" + d.name() + "_seq";
                d = d.withDefault("nextval('" + (schema.equals("public") ? "" : schema + ".") + seqName + "'::regclass)").notNullColumn();
            }
            defs.add(d);
        }
        TableDef td = t.createTable(schema, name, defs, pk);
        for (ColumnPlan cp : cols) {
            if (cp.serialKind() != 0) {
                ColumnDef c = td.column(cp.def().name());
                long max = cp.serialKind() == 2 ? Short.MAX_VALUE : cp.serialKind() == 4 ? Integer.MAX_VALUE : Long.MAX_VALUE;
                t.createSequence(new SequenceDef(0, 0, schema, name + "_" + c.name() + "_seq", 1, 1, 1, max, false, 1, td.oid(), c.attnum()));
            }
        }
        return Planned.Outcome.of("CREATE TABLE");
    }

    private static void rejectConstraint(Constraint c) {
        String what = c instanceof Constraint.Unique ? "UNIQUE constraints" : c instanceof Constraint.Check ? "CHECK constraints"
                : c instanceof Constraint.ForeignKey ? "FOREIGN KEY constraints" : c instanceof Constraint.Exclude ? "EXCLUDE constraints"
                : c instanceof Constraint.Generated ? "generated columns" : c.getClass().getSimpleName() + " constraints";
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, what + " are not supported").withPosition(c.pos());
    }

    private static ColumnPlan column(String table, ColumnDefinition cd, List<String> pk) {
        PgType type = Binder.typeOf(cd.type());
        int typmod = Binder.typmodOf(cd.type(), type);
        String tn = cd.type().name().toLowerCase(Locale.ROOT);
        int serial = cd.type().arrayDims() > 0 ? 0 : switch (tn) {
            case "serial", "serial4" -> 4;
            case "bigserial", "serial8" -> 8;
            case "smallserial", "serial2" -> 2;
            default -> 0;
        };
        ColumnDef d = ColumnDef.of(cd.name(), type).withTypmod(typmod);
        for (Constraint c : Analyzer.constraintsOf(cd)) {
            if (c instanceof Constraint.NotNull) {
                d = d.notNullColumn();
            } else if (c instanceof Constraint.Null || c instanceof Constraint.Deferrable) {
                continue;
            } else if (c instanceof Constraint.Default def) {
                if (serial != 0) {
                    throw new LrepException(SqlState.SYNTAX_ERROR, "multiple default values specified for column \"" + cd.name()
                            + "\" of table \"" + table + "\"").withPosition(c.pos());
                }
                String text = Deparse.expr(def.expr());
                if (def.expr() instanceof io.lrep.node.sql.ast.Expr.StringLiteral && type.category() == 'S') {
                    // PostgreSQL stores a string default as a constant of the column's type: 'x'::text
                    text += "::" + io.lrep.node.sql.catalog.TypeFormat.format(type.oid());
                }
                d = d.withDefault(text);
            } else if (c instanceof Constraint.PrimaryKey p) {
                if (!pk.isEmpty()) {
                    throw new LrepException(SqlState.INVALID_TABLE_DEFINITION, "multiple primary keys for table \"" + table
                            + "\" are not allowed").withPosition(p.pos());
                }
                pk.add(cd.name());
            } else if (c instanceof Constraint.Identity id) {
                if (type != PgType.INT2 && type != PgType.INT4 && type != PgType.INT8) {
                    throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "identity column type must be smallint, integer, or bigint")
                            .withPosition(c.pos());
                }
                d = d.withIdentity(id.always() ? 'a' : 'd');
            } else {
                rejectConstraint(c);
            }
        }
        return new ColumnPlan(d, serial);
    }

    static Planned.Outcome alterTable(ExecSession s, Analyzer a, Statement.AlterTable at) {
        Transaction t = s.txn;
        TableDef td = findTable(s, at.name());
        if (td == null) {
            if (at.ifExists()) {
                s.notice("NOTICE", SqlState.UNDEFINED_TABLE, "relation \"" + at.name().name() + "\" does not exist, skipping");
                return Planned.Outcome.of("ALTER TABLE");
            }
            throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + at.name() + "\" does not exist").withPosition(at.name().pos());
        }
        for (AlterTableCmd cmd : at.commands()) {
            td = t.table(td.oid());
            if (cmd instanceof AlterTableCmd.AddColumn ac) {
                if (td.column(ac.column().name()) != null && ac.ifNotExists()) {
                    s.notice("NOTICE", SqlState.DUPLICATE_COLUMN, "column \"" + ac.column().name() + "\" of relation \"" + td.name()
                            + "\" already exists, skipping");
                    continue;
                }
                List<String> pk = new ArrayList<>();
                ColumnPlan cp = column(td.name(), ac.column(), pk);
                if (cp.serialKind() != 0 || !pk.isEmpty() || cp.def().isIdentity()) {
                    throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                            "ADD COLUMN with serial, identity or PRIMARY KEY is not supported").withPosition(ac.pos());
                }
                ColumnDef c = cp.def();
                if (c.defaultExpr() != null) {
                    Expr dflt = a.binder().assign(a.binder().bind(SqlParser.parseExpression(c.defaultExpr()), null), c.type(), c.typmod(), ac.pos());
                    Object v = dflt.eval(new Env(new Exec(s, new Object[0], t, null, java.time.Instant.now()), null));
                    c = c.withMissingValue(v);
                }
                t.addColumn(td, c);
            } else if (cmd instanceof AlterTableCmd.DropColumn dc) {
                if (td.column(dc.column()) == null) {
                    if (dc.ifExists()) {
                        s.notice("NOTICE", SqlState.UNDEFINED_COLUMN, "column \"" + dc.column() + "\" of relation \"" + td.name()
                                + "\" does not exist, skipping");
                        continue;
                    }
                    throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + dc.column() + "\" of relation \"" + td.name()
                            + "\" does not exist");
                }
                t.dropColumn(td, dc.column());
            } else if (cmd instanceof AlterTableCmd.ReplicaIdentity ri) {
                if (ri.kind() == AlterTableCmd.ReplicaIdentity.Kind.INDEX && !td.pkeyName().equals(ri.indexName())) {
                    throw new LrepException(SqlState.UNDEFINED_OBJECT, "index \"" + ri.indexName() + "\" for table \"" + td.name()
                            + "\" does not exist");
                }
                t.setReplicaIdentity(td, Analyzer.replicaIdentity(ri));
            } else if (cmd instanceof AlterTableCmd.RenameTable rt) {
                t.renameTable(td, rt.newName());
            } else if (cmd instanceof AlterTableCmd.ColumnNotNull nn) {
                if (td.column(nn.column()) == null) {
                    throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + nn.column() + "\" of relation \"" + td.name()
                            + "\" does not exist");
                }
                t.setNotNull(td, nn.column(), nn.set());
            } else if (cmd instanceof AlterTableCmd.AddConstraint ac && ac.constraint() instanceof Constraint.PrimaryKey pk) {
                addPrimaryKey(s, td, pk);
                td = findTable(s, new QualifiedName(null, td.schemaName(), td.name(), 0));
            } else if (cmd instanceof AlterTableCmd.OwnerTo) {
                continue;
            } else {
                String what = cmd instanceof AlterTableCmd.ColumnDefault ? "ALTER COLUMN ... SET/DROP DEFAULT"
                        : cmd instanceof AlterTableCmd.ColumnNotNull ? "ALTER COLUMN ... SET/DROP NOT NULL"
                        : cmd instanceof AlterTableCmd.ColumnType ? "ALTER COLUMN ... TYPE"
                        : cmd instanceof AlterTableCmd.RenameColumn ? "RENAME COLUMN"
                        : cmd instanceof AlterTableCmd.AddConstraint ? "ADD CONSTRAINT"
                        : cmd instanceof AlterTableCmd.DropConstraint ? "DROP CONSTRAINT"
                        : cmd instanceof AlterTableCmd.SetSchema ? "SET SCHEMA" : "this ALTER TABLE action";
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, what + " is not supported").withPosition(cmd.pos());
            }
        }
        return Planned.Outcome.of("ALTER TABLE");
    }

    /**
     * ADD PRIMARY KEY to a table without one (pgbench -i does this after loading): storage keys
     * rows by primary key, so the table is rebuilt under the same name with the key, in this
     * transaction (a new oid; cached plans re-plan). Tables with identity or serial columns are
     * not rebuilt (0A000).
     */
    private static void addPrimaryKey(ExecSession s, TableDef td, Constraint.PrimaryKey pk) {
        Transaction t = s.txn;
        if (td.hasPrimaryKey()) {
            throw new LrepException(SqlState.INVALID_TABLE_DEFINITION, "multiple primary keys for table \"" + td.name() + "\" are not allowed")
                    .withPosition(pk.pos());
        }
        for (SequenceDef sq : t.sequences()) {
            if (sq.ownedByTable() == td.oid()) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                        "ADD PRIMARY KEY is not supported on a table with identity or serial columns").withPosition(pk.pos());
            }
        }
        List<String> keys = new ArrayList<>();
        for (Ident id : pk.columns()) {
            if (td.column(id.name()) == null) {
                throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + id.name() + "\" of relation \"" + td.name()
                        + "\" does not exist").withPosition(id.pos());
            }
            keys.add(id.name());
        }
        List<ColumnDef> live = td.liveColumns();
        List<ColumnDef> cols = new ArrayList<>();
        for (ColumnDef c : live) {
            ColumnDef n = ColumnDef.of(c.name(), c.type()).withTypmod(c.typmod()).withDefault(c.defaultExpr());
            cols.add(c.notNull() ? n.notNullColumn() : n);
        }
        String tmp = td.name() + "_pkey_rebuild";
        TableDef nt = t.createTable(td.schemaName(), tmp, cols, keys);
        java.util.Iterator<io.lrep.core.storage.RowRef> it = t.scan(td, t.statementSnapshot());
        while (it.hasNext()) {
            Object[] old = it.next().values();
            Object[] row = new Object[cols.size()];
            for (int i = 0; i < live.size(); i++) {
                row[i] = old[live.get(i).attnum() - 1];
            }
            for (String k : keys) {
                ColumnDef kc = nt.column(k);
                if (row[kc.attnum() - 1] == null) {
                    throw new LrepException(SqlState.NOT_NULL_VIOLATION, "column \"" + k + "\" of relation \"" + td.name()
                            + "\" contains null values");
                }
            }
            try {
                t.insert(nt, row);
            } catch (LrepException e) {
                if (e.sqlState() == SqlState.UNIQUE_VIOLATION) {
                    throw new LrepException(SqlState.UNIQUE_VIOLATION, "could not create unique index \"" + td.name() + "_pkey\"")
                            .withDetail(e.detail() == null ? null : e.detail().replace("already exists", "is duplicated"));
                }
                throw e;
            }
        }
        t.dropTable(td);
        nt = t.renameTable(t.table(nt.oid()), td.name());
        io.lrep.publisher.publication.PublicationCatalog.onTableReplaced(t, Integer.toUnsignedLong(td.oid()), Integer.toUnsignedLong(nt.oid()));
        if (td.replicaIdentity() != io.lrep.core.storage.ReplicaIdentity.DEFAULT) {
            t.setReplicaIdentity(nt, td.replicaIdentity());
        }
    }

    static Planned.Outcome createIndex(ExecSession s, Analyzer a, Statement.CreateIndex ci) {
        TableDef td = findTable(s, ci.table());
        if (td == null) {
            throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + ci.table() + "\" does not exist").withPosition(ci.table().pos());
        }
        List<Integer> cols = new ArrayList<>();
        for (Statement.IndexElem e : ci.keys()) {
            ColumnDef c = e.column() == null ? null : td.column(e.column());
            if (c == null) {
                cols = null;
                break;
            }
            cols.add(c.attnum());
        }
        if (cols != null && cols.equals(td.primaryKey()) && ci.where() == null) {
            return Planned.Outcome.of("CREATE INDEX");
        }
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                "CREATE INDEX is not supported (tables are indexed by their primary key only)").withPosition(ci.pos());
    }

    static Planned.Outcome createSequence(ExecSession s, Statement.CreateSequence cs) {
        Transaction t = s.txn;
        String schema = cs.name().schema() != null ? cs.name().schema() : s.creationSchema();
        String name = cs.name().name();
        if (cs.ifNotExists() && (t.findSequence(schema, name) != null || t.findTable(schema, name) != null)) {
            s.notice("NOTICE", SqlState.DUPLICATE_TABLE, "relation \"" + name + "\" already exists, skipping");
            return Planned.Outcome.of("CREATE SEQUENCE");
        }
        SequenceDef def = applyOptions(s, SequenceDef.defaults(schema, name), Analyzer.options(cs.options()), true);
        t.createSequence(def);
        return Planned.Outcome.of("CREATE SEQUENCE");
    }

    static Planned.Outcome alterSequence(ExecSession s, Statement.AlterSequence as) {
        Transaction t = s.txn;
        SequenceDef cur = findSequence(s, as.name());
        if (cur == null) {
            if (as.ifExists()) {
                s.notice("NOTICE", SqlState.UNDEFINED_TABLE, "relation \"" + as.name().name() + "\" does not exist, skipping");
                return Planned.Outcome.of("ALTER SEQUENCE");
            }
            throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + as.name() + "\" does not exist");
        }
        SequenceDef next = applyOptions(s, cur, Analyzer.options(as.options()), false);
        t.alterSequence(next);
        for (SequenceOption o : Analyzer.options(as.options())) {
            if (o.kind() == SequenceOption.Kind.RESTART) {
                t.setval(next, o.value() != null ? o.value() : next.start(), false);
            }
        }
        return Planned.Outcome.of("ALTER SEQUENCE");
    }

    private static SequenceDef applyOptions(ExecSession s, SequenceDef d, List<SequenceOption> opts, boolean create) {
        long start = d.start();
        long inc = d.increment();
        Long min = create ? null : d.min();
        Long max = create ? null : d.max();
        boolean cycle = d.cycle();
        long cache = d.cache();
        int ownedTable = d.ownedByTable();
        int ownedAtt = d.ownedByAttnum();
        long typeMax = Long.MAX_VALUE;
        long typeMin = Long.MIN_VALUE;
        boolean startGiven = false;
        for (SequenceOption o : opts) {
            switch (o.kind()) {
                case AS -> {
                    PgType t = Binder.typeOf(o.type());
                    if (t == PgType.INT2) {
                        typeMax = Short.MAX_VALUE;
                        typeMin = Short.MIN_VALUE;
                    } else if (t == PgType.INT4) {
                        typeMax = Integer.MAX_VALUE;
                        typeMin = Integer.MIN_VALUE;
                    } else if (t != PgType.INT8) {
                        throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "sequence type must be smallint, integer, or bigint");
                    }
                }
                case INCREMENT -> {
                    inc = o.value();
                    if (inc == 0) {
                        throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "INCREMENT must not be zero");
                    }
                }
                case MINVALUE -> min = o.value();
                case NO_MINVALUE -> min = null;
                case MAXVALUE -> max = o.value();
                case NO_MAXVALUE -> max = null;
                case START -> {
                    start = o.value();
                    startGiven = true;
                }
                case CACHE -> cache = o.value();
                case CYCLE -> cycle = true;
                case NO_CYCLE -> cycle = false;
                case RESTART -> {
                    // applied after the definition changes (setval)
                }
                case OWNED_BY -> {
                    if (o.ownedBy().isEmpty()) {
                        ownedTable = 0;
                        ownedAtt = 0;
                    } else {
                        List<String> parts = o.ownedBy();
                        String col = parts.get(parts.size() - 1);
                        String tab = parts.get(parts.size() - 2);
                        String sch = parts.size() > 2 ? parts.get(parts.size() - 3) : null;
                        TableDef td = findTable(s, new io.lrep.node.sql.ast.QualifiedName(null, sch, tab, o.pos()));
                        if (td == null) {
                            throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + tab + "\" does not exist");
                        }
                        ColumnDef c = td.column(col);
                        if (c == null) {
                            throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + col + "\" of relation \"" + tab
                                    + "\" does not exist");
                        }
                        ownedTable = td.oid();
                        ownedAtt = c.attnum();
                    }
                }
                default -> {
                    // SEQUENCE NAME: only for identity columns
                }
            }
        }
        long mn = min != null ? min : inc > 0 ? 1 : typeMin;
        long mx = max != null ? max : inc > 0 ? typeMax : -1;
        if (create && !startGiven) {
            start = inc > 0 ? mn : mx;
        }
        if (mn >= mx) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "MINVALUE (" + mn + ") must be less than MAXVALUE (" + mx + ")");
        }
        if (start < mn) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "START value (" + start + ") cannot be less than MINVALUE (" + mn + ")");
        }
        if (start > mx) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "START value (" + start + ") cannot be greater than MAXVALUE (" + mx + ")");
        }
        return new SequenceDef(d.oid(), d.schemaOid(), d.schemaName(), d.name(), start, inc, mn, mx, cycle, cache, ownedTable, ownedAtt);
    }
}
