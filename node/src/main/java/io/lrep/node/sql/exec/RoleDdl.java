package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.auth.Md5Password;
import io.lrep.core.protocol.auth.ScramSha256;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.storage.WriteResult;
import io.lrep.core.types.PgType;
import io.lrep.node.SystemTables;
import io.lrep.node.sql.ast.RoleOption;
import io.lrep.node.sql.ast.RoleSpec;
import io.lrep.node.sql.ast.Statement;
import java.util.List;

/** CREATE/ALTER/DROP ROLE as inserts, updates and deletes of pg_catalog.pg_authid rows. */
final class RoleDdl {

    private RoleDdl() {}

    private static TableDef authid(Transaction t) {
        return t.table(SystemTables.SCHEMA, SystemTables.AUTHID);
    }

    private static void requireSuperuser(ExecSession s, String what) {
        if (!s.superuser()) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied to " + what);
        }
    }

    static Planned.Outcome create(ExecSession s, Statement.CreateRole cr) {
        requireSuperuser(s, "create role");
        Transaction t = s.txn;
        String name = cr.name();
        if (name.startsWith("pg_")) {
            throw new LrepException(SqlState.RESERVED_NAME, "role name \"" + name + "\" is reserved")
                    .withDetail("Role names starting with \"pg_\" are reserved.");
        }
        if (Roles.findRow(t, name) != null) {
            throw new LrepException(SqlState.DUPLICATE_OBJECT, "role \"" + name + "\" already exists");
        }
        SequenceDef seq = t.sequence(SystemTables.SCHEMA, SystemTables.AUTHID_OID_SEQ);
        long oid = t.nextval(seq);
        Object[] row = {oid, name, false, true, false, false, cr.kind() == Statement.RoleKind.USER, false, false, -1, null, null};
        apply(s, row, cr.options(), name);
        t.insert(authid(t), row);
        return Planned.Outcome.of("CREATE ROLE");
    }

    private static void apply(ExecSession s, Object[] row, List<RoleOption> options, String name) {
        for (RoleOption o : options) {
            switch (o.kind()) {
                case SUPERUSER -> row[SystemTables.ROL_SUPER] = o.flag();
                case CREATEDB -> row[SystemTables.ROL_CREATEDB] = o.flag();
                case CREATEROLE -> row[SystemTables.ROL_CREATEROLE] = o.flag();
                case LOGIN -> row[SystemTables.ROL_CANLOGIN] = o.flag();
                case REPLICATION -> row[SystemTables.ROL_REPLICATION] = o.flag();
                case BYPASSRLS -> row[SystemTables.ROL_BYPASSRLS] = o.flag();
                case INHERIT -> row[SystemTables.ROL_INHERIT] = o.flag();
                case CONNECTION_LIMIT -> row[SystemTables.ROL_CONNLIMIT] = o.number().intValue();
                case PASSWORD -> row[SystemTables.ROL_PASSWORD] = secret(s, o.text(), name);
                case VALID_UNTIL -> row[SystemTables.ROL_VALIDUNTIL] = o.text() == null ? null
                        : Casts.input(PgType.TIMESTAMPTZ, -1, o.text(), s.timeZone());
                default -> {
                    // IN ROLE, ROLE, ADMIN, SYSID: role membership is not modelled
                }
            }
        }
    }

    /** The rolpassword for a PASSWORD option: a verifier as given, else hashed per password_encryption. */
    static String secret(ExecSession s, String password, String user) {
        if (password == null) {
            return null;
        }
        if (password.isEmpty()) {
            s.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, "empty string is not a valid password, clearing password");
            return null;
        }
        if (ScramSha256.isVerifier(password) || Md5Password.isMd5Secret(password)) {
            return password;
        }
        if ("md5".equals(s.settings.show("password_encryption"))) {
            return Md5Password.encrypt(password, user);
        }
        return ScramSha256.createVerifier(password);
    }

    private static RowRef existing(Transaction t, String name) {
        RowRef r = Roles.findRow(t, name);
        if (r == null) {
            throw new LrepException(SqlState.UNDEFINED_OBJECT, "role \"" + name + "\" does not exist");
        }
        return r;
    }

    private static String roleName(ExecSession s, RoleSpec r) {
        return switch (r.kind()) {
            case NAME -> r.name();
            case CURRENT_USER, CURRENT_ROLE, SESSION_USER -> s.user();
            case PUBLIC -> throw new LrepException(SqlState.UNDEFINED_OBJECT, "role \"public\" does not exist");
        };
    }

    private static void write(Transaction t, RowRef r, Object[] row) {
        WriteResult w = row == null ? t.delete(r) : t.update(r, row);
        if (!w.ok()) {
            throw new LrepException(SqlState.SERIALIZATION_FAILURE, "tuple concurrently updated");
        }
    }

    static Planned.Outcome alter(ExecSession s, Statement.AlterRole ar) {
        Transaction t = s.txn;
        String name = roleName(s, ar.role());
        RowRef r = existing(t, name);
        boolean onlyPassword = ar.options().stream().allMatch(o -> o.kind() == RoleOption.Kind.PASSWORD);
        if (!s.superuser() && !(onlyPassword && name.equals(s.user()))) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied");
        }
        Object[] row = r.values().clone();
        apply(s, row, ar.options(), name);
        write(t, r, row);
        return Planned.Outcome.of("ALTER ROLE");
    }

    static Planned.Outcome rename(ExecSession s, Statement.RenameRole rr) {
        requireSuperuser(s, "rename role");
        Transaction t = s.txn;
        RowRef r = existing(t, rr.name());
        if (rr.name().equals(s.user())) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "session user cannot be renamed");
        }
        if (Roles.findRow(t, rr.newName()) != null) {
            throw new LrepException(SqlState.DUPLICATE_OBJECT, "role \"" + rr.newName() + "\" already exists");
        }
        Object[] row = r.values().clone();
        row[SystemTables.ROL_NAME] = rr.newName();
        if (row[SystemTables.ROL_PASSWORD] instanceof String p && Md5Password.isMd5Secret(p)) {
            row[SystemTables.ROL_PASSWORD] = null;
            s.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, "MD5 password cleared because of role rename");
        }
        write(t, r, row);
        return Planned.Outcome.of("ALTER ROLE");
    }

    static Planned.Outcome drop(ExecSession s, Statement.DropRole dr) {
        requireSuperuser(s, "drop role");
        Transaction t = s.txn;
        for (RoleSpec spec : dr.roles()) {
            String name = roleName(s, spec);
            RowRef r = Roles.findRow(t, name);
            if (r == null) {
                if (dr.ifExists()) {
                    s.notice("NOTICE", SqlState.UNDEFINED_OBJECT, "role \"" + name + "\" does not exist, skipping");
                    continue;
                }
                throw new LrepException(SqlState.UNDEFINED_OBJECT, "role \"" + name + "\" does not exist");
            }
            if (name.equals(s.user())) {
                throw new LrepException(SqlState.OBJECT_IN_USE, "current user cannot be dropped");
            }
            if ((Long) r.values()[SystemTables.ROL_OID] == SystemTables.BOOTSTRAP_SUPERUSER_OID) {
                throw new LrepException(SqlState.OBJECT_IN_USE, "cannot drop role " + name + " because it is required by the database system");
            }
            write(t, r, null);
        }
        return Planned.Outcome.of("DROP ROLE");
    }
}
