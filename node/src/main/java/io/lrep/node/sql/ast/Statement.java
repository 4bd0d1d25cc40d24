package io.lrep.node.sql.ast;

import java.util.List;

/**
 * One SQL statement. Each carries the span of its own text in the query string it came from.
 *
 * <p>Deliberately not sealed: statements of later features (publications, subscriptions,
 * replication commands) are records in their own files that implement this interface and are
 * registered with {@code io.lrep.node.sql.parser.StatementRegistry}. Executors dispatch on the
 * record type ({@code instanceof}) with a final branch raising 0A000.
 */
public interface Statement {

    /** The statement's own text and where it sits in the query string. */
    SourceSpan span();

    /** 1-based position of the statement's first character. */
    default int pos() {
        return span().start() + 1;
    }

    /** How a table or sequence is persisted. */
    enum Persistence { PERMANENT, UNLOGGED, TEMPORARY }

    // ---- queries and DML ----------------------------------------------------------------------

    /** SELECT, VALUES, TABLE t, or a set operation of them. */
    record Select(Query query, SourceSpan span) implements Statement {
    }

    /**
     * {@code [WITH ...] INSERT INTO t [AS alias] [(cols)] [OVERRIDING ...] {VALUES ... | SELECT ... | DEFAULT VALUES}
     * [ON CONFLICT ...] [RETURNING ...]}. source is null for DEFAULT VALUES; a VALUES source is a
     * {@link Query} whose body is {@link QueryExpr.Values} (DEFAULT items are
     * {@link Expr.DefaultValue}).
     *
     * @param overriding "system" or "user" for OVERRIDING ... VALUE, else null
     */
    record Insert(Query.With with, QualifiedName table, String alias, List<Ident> columns, String overriding,
            Query source, OnConflict onConflict, List<SelectItem> returning, SourceSpan span) implements Statement {
    }

    /**
     * {@code ON CONFLICT [(cols) [WHERE ...] | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET ... [WHERE ...]}.
     * Inside DO UPDATE, {@code excluded.col} is a plain {@link Expr.ColumnRef}.
     */
    record OnConflict(List<Ident> columns, String constraint, Expr targetWhere, boolean doUpdate,
            List<SetClause> set, Expr where, int pos) {
    }

    /**
     * {@code col = expr} (one column) or {@code (a, b) = (x, y)} / {@code (a, b) = (SELECT ...)}
     * (several columns; value is then a {@link Expr.RowConstructor} or {@link Expr.ScalarSubquery}).
     */
    record SetClause(List<Ident> columns, Expr value, int pos) {
    }

    record Update(Query.With with, QualifiedName table, boolean only, String alias, List<SetClause> set,
            List<FromItem> from, Expr where, List<SelectItem> returning, SourceSpan span) implements Statement {
    }

    record Delete(Query.With with, QualifiedName table, boolean only, String alias, List<FromItem> using,
            Expr where, List<SelectItem> returning, SourceSpan span) implements Statement {
    }

    record Truncate(List<QualifiedName> tables, boolean restartIdentity, boolean cascade, SourceSpan span)
            implements Statement {
    }

    /**
     * COPY. Exactly one of table and query is set. file is null for STDIN/STDOUT. Options are
     * normalised to the new syntax's names: format (text|csv|binary), delimiter, null, header
     * (true|false|match), quote, escape, force_quote / force_not_null / force_null (column names
     * joined by ',' or "*"), encoding, freeze; value null when written without one.
     */
    record Copy(QualifiedName table, List<Ident> columns, Query query, boolean from, String file, boolean program,
            List<GenericOption> options, Expr where, SourceSpan span) implements Statement {
    }

    // ---- DDL -----------------------------------------------------------------------------------

    /** What a DROP / COMMENT / GRANT is about. */
    enum ObjectType {
        TABLE, SEQUENCE, INDEX, SCHEMA, VIEW, MATERIALIZED_VIEW, TYPE, DOMAIN, FUNCTION, PROCEDURE, EXTENSION,
        DATABASE, ROLE, COLUMN, CONSTRAINT, PUBLICATION, SUBSCRIPTION, TRIGGER, COLLATION, OTHER
    }

    record CreateSchema(String name, boolean ifNotExists, RoleSpec authorization, List<Statement> elements,
            SourceSpan span) implements Statement {
    }

    /** {@code DROP type [CONCURRENTLY] [IF EXISTS] name, ... [CASCADE|RESTRICT]} for TABLE, SEQUENCE, INDEX, SCHEMA, VIEW ... */
    record Drop(ObjectType type, List<QualifiedName> names, boolean ifExists, boolean cascade, boolean concurrently,
            SourceSpan span) implements Statement {
    }

    /**
     * CREATE TABLE, or CREATE TABLE ... AS query (asQuery non-null, asColumns the optional column
     * names, withData false for WITH NO DATA).
     *
     * @param constraints table constraints (the column constraints sit on each column)
     * @param with storage parameters of WITH (...)
     */
    record CreateTable(QualifiedName name, Persistence persistence, boolean ifNotExists,
            List<ColumnDefinition> columns, List<Constraint> constraints, List<QualifiedName> inherits,
            List<GenericOption> with, Query asQuery, List<String> asColumns, boolean withData, SourceSpan span)
            implements Statement {
    }

    record AlterTable(QualifiedName name, boolean ifExists, boolean only, List<AlterTableCmd> commands,
            SourceSpan span) implements Statement {
    }

    /** One key of CREATE INDEX: a column (expr null) or an expression (column null). */
    record IndexElem(String column, Expr expr, List<String> collation, String opclass,
            SortItem.Direction direction, SortItem.NullsOrder nulls, int pos) {
    }

    /** CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t [USING m] (keys) [INCLUDE (..)] [WHERE ..]; name null when omitted. */
    record CreateIndex(String name, QualifiedName table, boolean unique, boolean ifNotExists, boolean concurrently,
            String method, List<IndexElem> keys, List<Ident> include, Expr where, SourceSpan span)
            implements Statement {
    }

    record CreateSequence(QualifiedName name, Persistence persistence, boolean ifNotExists,
            List<SequenceOption> options, SourceSpan span) implements Statement {
    }

    record AlterSequence(QualifiedName name, boolean ifExists, List<SequenceOption> options, SourceSpan span)
            implements Statement {
    }

    /** CREATE [OR REPLACE] [TEMP] VIEW name [(cols)] AS query. */
    record CreateView(QualifiedName name, boolean orReplace, Persistence persistence, List<String> columns,
            Query query, SourceSpan span) implements Statement {
    }

    /** COMMENT ON type name IS 'text' | NULL (comment null for NULL). Parsed; a no-op. */
    record Comment(ObjectType type, List<String> object, String comment, SourceSpan span) implements Statement {
    }

    /**
     * GRANT / REVOKE, parsed and a no-op. For a privilege grant, privileges are lower-case words
     * ("select", "all", ...), type the object type and objects the names; for a role grant
     * ({@code GRANT r1 TO r2}) type is ROLE and privileges are the granted roles' names.
     */
    record Grant(boolean grant, List<String> privileges, ObjectType type, List<QualifiedName> objects,
            List<RoleSpec> grantees, boolean withGrantOption, boolean cascade, SourceSpan span) implements Statement {
    }

    // ---- roles ---------------------------------------------------------------------------------

    enum RoleKind { ROLE, USER, GROUP }

    /** CREATE ROLE/USER/GROUP name [[WITH] option ...]. USER implies LOGIN unless NOLOGIN is given. */
    record CreateRole(RoleKind kind, String name, List<RoleOption> options, SourceSpan span) implements Statement {
    }

    record AlterRole(RoleSpec role, List<RoleOption> options, SourceSpan span) implements Statement {
    }

    record RenameRole(String name, String newName, SourceSpan span) implements Statement {
    }

    /** ALTER ROLE r|ALL [IN DATABASE d] SET ... / RESET ...: setting is a {@link SetVariable} or {@link Reset}. */
    record AlterRoleSet(RoleSpec role, String database, Statement setting, SourceSpan span) implements Statement {
    }

    record DropRole(List<RoleSpec> roles, boolean ifExists, SourceSpan span) implements Statement {
    }

    // ---- transactions --------------------------------------------------------------------------

    enum TransactionKind {
        BEGIN, START, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK_TO, PREPARE, COMMIT_PREPARED, ROLLBACK_PREPARED
    }

    /**
     * BEGIN, START TRANSACTION, COMMIT/END, ROLLBACK/ABORT [AND [NO] CHAIN], SAVEPOINT s,
     * RELEASE [SAVEPOINT] s, ROLLBACK TO [SAVEPOINT] s, PREPARE TRANSACTION / COMMIT PREPARED /
     * ROLLBACK PREPARED 'gid' (name holds the savepoint name or gid).
     */
    record Transaction(TransactionKind kind, TransactionModes modes, String name, boolean chain, SourceSpan span)
            implements Statement {
    }

    /** SET TRANSACTION modes, or SET SESSION CHARACTERISTICS AS TRANSACTION modes (session true). */
    record SetTransaction(TransactionModes modes, boolean session, SourceSpan span) implements Statement {
    }

    // ---- settings ------------------------------------------------------------------------------

    /** One value of SET: a string constant, a number, or a word (identifier or keyword, lower-cased). */
    record SetValue(Kind kind, String text, int pos) {

        public enum Kind { STRING, NUMBER, WORD }
    }

    /**
     * SET [SESSION|LOCAL] name {TO|=} value, ... | DEFAULT. Special forms are mapped to their
     * settings: TIME ZONE to "timezone" (LOCAL and DEFAULT to toDefault), NAMES to
     * "client_encoding", SCHEMA to "search_path", ROLE to "role", SESSION AUTHORIZATION to
     * "session_authorization". name is lower case (dotted for custom settings).
     */
    record SetVariable(String name, boolean local, List<SetValue> values, boolean toDefault, SourceSpan span)
            implements Statement {
    }

    /**
     * SHOW name | SHOW ALL ("all") | SHOW TRANSACTION ISOLATION LEVEL ("transaction_isolation") |
     * SHOW TIME ZONE ("timezone") | SHOW SESSION AUTHORIZATION ("session_authorization").
     */
    record Show(String name, SourceSpan span) implements Statement {
    }

    /** RESET name | RESET ALL ("all"); RESET TIME ZONE is "timezone". */
    record Reset(String name, SourceSpan span) implements Statement {
    }

    /** DISCARD ALL|PLANS|SEQUENCES|TEMP ("all", "plans", "sequences", "temp"). */
    record Discard(String what, SourceSpan span) implements Statement {
    }

    // ---- utility -------------------------------------------------------------------------------

    record Explain(Statement statement, List<GenericOption> options, SourceSpan span) implements Statement {
    }

    /** VACUUM (vacuum true) or ANALYZE, options as written ("full", "verbose", "analyze", ...). */
    record Vacuum(boolean vacuum, List<GenericOption> options, List<QualifiedName> tables, SourceSpan span)
            implements Statement {
    }

    record Checkpoint(SourceSpan span) implements Statement {
    }

    /** LOCK [TABLE] t, ... [IN mode MODE] [NOWAIT]; mode upper case ("ACCESS EXCLUSIVE" by default). */
    record Lock(List<QualifiedName> tables, String mode, boolean nowait, SourceSpan span) implements Statement {
    }

    record Listen(String channel, SourceSpan span) implements Statement {
    }

    /** UNLISTEN channel | * (channel null). */
    record Unlisten(String channel, SourceSpan span) implements Statement {
    }

    record Notify(String channel, String payload, SourceSpan span) implements Statement {
    }

    /** DO [LANGUAGE l] 'code': parsed so the executor can reject it (0A000). */
    record Do(String code, String language, SourceSpan span) implements Statement {
    }

    /** DEALLOCATE [PREPARE] name | ALL (name null). */
    record Deallocate(String name, SourceSpan span) implements Statement {
    }
}
