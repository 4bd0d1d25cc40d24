package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.core.types.TextCodec;
import io.lrep.core.types.TypMod;
import io.lrep.core.types.Values;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Casts between lrep values: explicit ({@code ::}, CAST), implicit and assignment. Built on
 * {@link Values#coerce} (assignment casts, string input and output functions) plus what only an
 * explicit cast does (int to bool and back, truncating varchar(n), numeric to int rounding) and
 * array text.
 *
 * <p>Casts to and from the reg* types are the catalog extension's business: the analyzer first
 * looks for a function named as the target type taking the source type (e.g. {@code
 * regclass(text)}, {@code text(regclass)}); only if there is none does it use these rules (which
 * treat reg* values as plain oids).
 */
public final class Casts {

    private Casts() {}

    /** Whether PostgreSQL casts {@code from} to {@code to} implicitly (for function and operator resolution). */
    public static boolean implicit(PgType from, PgType to) {
        if (from == to || from == PgType.UNKNOWN) {
            return true;
        }
        switch (from) {
            case INT2:
                return to == PgType.INT4 || to == PgType.INT8 || to == PgType.NUMERIC || to == PgType.FLOAT4 || to == PgType.FLOAT8
                        || to == PgType.OID || Ops.isReg(to);
            case INT4:
                return to == PgType.INT8 || to == PgType.NUMERIC || to == PgType.FLOAT4 || to == PgType.FLOAT8 || to == PgType.OID
                        || Ops.isReg(to);
            case INT8:
                return to == PgType.NUMERIC || to == PgType.FLOAT4 || to == PgType.FLOAT8 || to == PgType.OID || Ops.isReg(to);
            case NUMERIC:
                return to == PgType.FLOAT4 || to == PgType.FLOAT8;
            case FLOAT4:
                return to == PgType.FLOAT8;
            case OID:
                return Ops.isReg(to) || to == PgType.INT8;
            case REGCLASS:
            case REGTYPE:
            case REGPROC:
                return to == PgType.OID || to == PgType.INT8;
            case VARCHAR:
            case BPCHAR:
            case NAME:
            case CHAR:
                return to == PgType.TEXT || to == PgType.VARCHAR || to == PgType.NAME || to == PgType.BPCHAR;
            case TEXT:
                return to == PgType.VARCHAR || to == PgType.NAME || to == PgType.BPCHAR;
            case DATE:
                return to == PgType.TIMESTAMP || to == PgType.TIMESTAMPTZ;
            case TIMESTAMP:
                return to == PgType.TIMESTAMPTZ;
            case JSON:
                return false;
            default:
                return false;
        }
    }

    /** Explicit cast ({@code v::to}). */
    public static Object explicit(PgType from, PgType to, int typmod, Object v, ZoneId zone) {
        if (v == null) {
            return null;
        }
        if (from == to && typmod < 0) {
            return v;
        }
        if (from == PgType.UNKNOWN) {
            return input(to, typmod, (String) v, zone);
        }
        if (to == PgType.BOOL && (from == PgType.INT4 || from == PgType.INT2 || from == PgType.INT8)) {
            return ((Number) v).longValue() != 0;
        }
        if (from == PgType.BOOL && (to == PgType.INT4 || to == PgType.INT2 || to == PgType.INT8)) {
            return Ops.promote(PgType.INT4, to, ((Boolean) v) ? 1 : 0);
        }
        if ((to == PgType.VARCHAR || to == PgType.BPCHAR) && typmod >= 0 && Ops.isString(from)) {
            String s = (String) v;
            int n = TypMod.lengthOf(typmod);
            if (s.codePointCount(0, s.length()) > n) {
                s = s.substring(0, s.offsetByCodePoints(0, n));
            }
            return Values.coerce(PgType.TEXT, to, typmod, s, zone);
        }
        if (Ops.isReg(to) || to == PgType.OID) {
            if (v instanceof Number n) {
                return n.longValue() & 0xFFFF_FFFFL;
            }
        }
        if (Ops.isReg(from) && Ops.isNumeric(to)) {
            return Ops.promote(PgType.INT8, to, v);
        }
        if (to.elementType() != null && from.elementType() != null) {
            Object[] in = (Object[]) v;
            Object[] out = new Object[in.length];
            for (int i = 0; i < in.length; i++) {
                out[i] = explicit(from.elementType(), to.elementType(), -1, in[i], zone);
            }
            return out;
        }
        if (from.elementType() != null && Ops.isString(to)) {
            return Values.coerce(PgType.TEXT, to, typmod, ArrayText.format(from, (Object[]) v, zone), zone);
        }
        if (to.elementType() != null && Ops.isString(from)) {
            return ArrayText.parse(to, (String) v, zone);
        }
        if (from == PgType.NUMERIC && (to == PgType.INT2 || to == PgType.INT4 || to == PgType.INT8)) {
            BigDecimal r = ((BigDecimal) v).setScale(0, RoundingMode.HALF_UP);
            return Values.coerce(PgType.NUMERIC, to, -1, r, zone);
        }
        if (from == PgType.PG_LSN && Ops.isString(to) || Ops.isString(from) && to == PgType.PG_LSN) {
            return Values.coerce(from, to, typmod, v, zone);
        }
        try {
            return Values.coerce(from, to, typmod, v, zone);
        } catch (LrepException e) {
            if (e.sqlState() == SqlState.DATATYPE_MISMATCH) {
                throw cannotCast(from, to);
            }
            throw e;
        }
    }

    /** Assignment cast, for INSERT and UPDATE values. */
    public static Object assign(PgType from, PgType to, int typmod, Object v, ZoneId zone) {
        if (v == null) {
            return null;
        }
        if (from == to && typmod < 0) {
            return v;
        }
        if (from == PgType.UNKNOWN) {
            return input(to, typmod, (String) v, zone);
        }
        if (to.elementType() != null && from.elementType() != null) {
            return explicit(from, to, typmod, v, zone);
        }
        if (Ops.isReg(to) || to == PgType.OID) {
            if (v instanceof Number n) {
                return n.longValue() & 0xFFFF_FFFFL;
            }
        }
        try {
            return Values.coerce(from, to, typmod, v, zone);
        } catch (LrepException e) {
            if (e.sqlState() == SqlState.DATATYPE_MISMATCH) {
                throw new LrepException(SqlState.DATATYPE_MISMATCH,
                        "column is of type " + TypMod.sqlName(to, typmod) + " but expression is of type " + Ops.sqlName(from));
            }
            throw e;
        }
    }

    /** The input function of {@code type} (array types included). */
    public static Object input(PgType type, int typmod, String text, ZoneId zone) {
        if (type == PgType.UNKNOWN || type == PgType.TEXT) {
            return text;
        }
        if (type.elementType() != null) {
            return ArrayText.parse(type, text, zone);
        }
        if (Ops.isReg(type)) {
            return TextCodec.parse(PgType.OID, -1, text, zone);
        }
        return TextCodec.parse(type, typmod, text, zone);
    }

    /** The output function of {@code type} (array types included). */
    public static String output(PgType type, Object v, ZoneId zone) {
        if (v == null) {
            return null;
        }
        if (type == PgType.INT2VECTOR || type == PgType.OIDVECTOR) {
            return io.lrep.core.types.TextCodec.format(type, v);
        }
        if (type.elementType() != null) {
            return ArrayText.format(type, (Object[]) v, zone);
        }
        if (type == PgType.UNKNOWN) {
            return (String) v;
        }
        if (Ops.isReg(type)) {
            return v.toString();
        }
        if (type == PgType.RECORD) {
            Object[] r = (Object[]) v;
            List<String> parts = new ArrayList<>();
            for (Object o : r) {
                parts.add(o == null ? "" : output(io.lrep.core.types.Values.typeOf(o), o, zone));
            }
            return "(" + String.join(",", parts) + ")";
        }
        return TextCodec.format(type, v, zone);
    }

    public static LrepException cannotCast(PgType from, PgType to) {
        return new LrepException(SqlState.DATATYPE_MISMATCH, "cannot cast type " + Ops.sqlName(from) + " to " + Ops.sqlName(to));
    }
}
