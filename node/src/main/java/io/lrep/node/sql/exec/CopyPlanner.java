package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.CopyText;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.CopyStream;
import io.lrep.node.sql.ast.GenericOption;
import io.lrep.node.sql.ast.Ident;
import io.lrep.node.sql.ast.Statement;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * COPY FROM STDIN and COPY TO STDOUT in text and CSV formats, as PostgreSQL reads and writes
 * them: text with a tab delimiter, {@code \N} for NULL and backslash escapes; CSV with quoting,
 * HEADER, and an empty unquoted field as NULL.
 */
final class CopyPlanner {

    private CopyPlanner() {}

    /** The format options of one COPY. */
    record Format(boolean csv, char delimiter, String nullString, boolean header, char quote, char escape) {}

    static Planned plan(Analyzer a, Statement.Copy c) {
        if (c.file() != null || c.program()) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "COPY to or from a file or program is not supported; use STDIN/STDOUT")
                    .withPosition(c.pos());
        }
        Format f = format(c.options());
        if (c.query() != null) {
            if (c.from()) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "COPY (query) FROM is not supported").withPosition(c.pos());
            }
            QueryPlanner.Result r = a.planner().planQuery(c.query(), null);
            List<ColumnInfo> cols = r.columns();
            return new Planned.Copy(false, ex -> new CopyOut(ex, r.plan(), cols, f), a.planner().deps);
        }
        TableDef t = a.writableTable(c.table());
        List<ColumnDef> cols = new ArrayList<>();
        if (c.columns() == null || c.columns().isEmpty()) {
            cols.addAll(t.liveColumns());
        } else {
            for (Ident id : c.columns()) {
                ColumnDef cd = t.column(id.name());
                if (cd == null) {
                    throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + id.name() + "\" of relation \"" + t.name()
                            + "\" does not exist");
                }
                cols.add(cd);
            }
        }
        if (c.from()) {
            List<Expr> defaults = new ArrayList<>();
            for (ColumnDef cd : t.columns()) {
                defaults.add(cd.dropped() || cols.contains(cd) ? null : a.defaultExpr(t, cd));
            }
            return new Planned.Copy(true, ex -> new CopyIn(ex, t, cols, defaults, f), a.planner().deps);
        }
        List<Expr> exprs = new ArrayList<>();
        List<ColumnInfo> infos = new ArrayList<>();
        for (ColumnDef cd : cols) {
            exprs.add(new Expr.Column(cd.type(), cd.typmod(), 0, cd.attnum() - 1, cd.name(), t.oid(), (short) cd.attnum()));
            infos.add(new ColumnInfo(cd.name(), cd.type(), cd.typmod(), t.oid(), (short) cd.attnum()));
        }
        Plan p = new Plan.Project(new Plan.SeqScan(t, null), exprs);
        return new Planned.Copy(false, ex -> new CopyOut(ex, p, infos, f), a.planner().deps);
    }

    private static Format format(List<GenericOption> options) {
        boolean csv = false;
        Character delim = null;
        String nul = null;
        boolean header = false;
        char quote = '"';
        Character escape = null;
        for (GenericOption o : options) {
            switch (o.name()) {
                case "format" -> {
                    String v = o.value() == null ? "" : o.value().toLowerCase(java.util.Locale.ROOT);
                    if (v.equals("binary")) {
                        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "COPY BINARY is not supported");
                    }
                    if (!v.equals("csv") && !v.equals("text")) {
                        throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "COPY format \"" + o.value() + "\" not recognized");
                    }
                    csv = v.equals("csv");
                }
                case "delimiter" -> delim = single(o, "COPY delimiter must be a single one-byte character");
                case "null" -> nul = o.value();
                case "header" -> header = o.value() == null || o.value().equalsIgnoreCase("true") || o.value().equals("on")
                        || o.value().equals("1");
                case "quote" -> quote = single(o, "COPY quote must be a single one-byte character");
                case "escape" -> escape = single(o, "COPY escape must be a single one-byte character");
                default -> {
                    // force_quote, force_not_null, encoding, freeze: accepted, not applied
                }
            }
        }
        return new Format(csv, delim != null ? delim : csv ? ',' : '\t', nul != null ? nul : csv ? "" : "\\N", header, quote,
                escape != null ? escape : quote);
    }

    private static char single(GenericOption o, String message) {
        if (o.value() == null || o.value().length() != 1) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, message);
        }
        return o.value().charAt(0);
    }

    // =====================================================================================
    // COPY FROM STDIN
    // =====================================================================================

    static final class CopyIn implements CopyStream {
        private final Exec ex;
        private final TableDef table;
        private final List<ColumnDef> cols;
        private final List<Expr> defaults;
        private final Format f;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private long rows;
        private boolean headerSkipped;
        private boolean ended;

        CopyIn(Exec ex, TableDef table, List<ColumnDef> cols, List<Expr> defaults, Format f) {
            this.ex = ex;
            this.table = table;
            this.cols = cols;
            this.defaults = defaults;
            this.f = f;
        }

        @Override
        public int columnCount() {
            return cols.size();
        }

        @Override
        public boolean csv() {
            return f.csv();
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            pending.write(data, offset, length);
            drain(false);
        }

        /** Consumes complete records from the pending bytes. */
        private void drain(boolean atEnd) {
            byte[] buf = pending.toByteArray();
            int start = 0;
            int i = 0;
            boolean inQuotes = false;
            while (i < buf.length) {
                byte b = buf[i];
                if (f.csv() && b == f.quote()) {
                    inQuotes = !inQuotes;
                } else if (b == '\n' && !inQuotes) {
                    int end = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                    record(new String(buf, start, end - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
                i++;
            }
            if (atEnd && start < buf.length) {
                record(new String(buf, start, buf.length - start, StandardCharsets.UTF_8));
                start = buf.length;
            }
            pending.reset();
            pending.write(buf, start, buf.length - start);
        }

        private void record(String line) {
            if (ended) {
                return;
            }
            if (line.equals("\\.")) {
                ended = true;
                return;
            }
            if (f.header() && !headerSkipped) {
                headerSkipped = true;
                return;
            }
            ex.checkCancel();
            List<String> fields = f.csv() ? csvFields(line) : CopyText.fields(line, f.delimiter(), f.nullString());
            if (fields.size() > cols.size()) {
                throw new LrepException(SqlState.BAD_COPY_FILE_FORMAT, "extra data after last expected column");
            }
            if (fields.size() < cols.size()) {
                throw new LrepException(SqlState.BAD_COPY_FILE_FORMAT, "missing data for column \"" + cols.get(fields.size()).name() + "\"");
            }
            Object[] row = new Object[table.columns().size()];
            ZoneId zone = ex.session.timeZone();
            for (int k = 0; k < cols.size(); k++) {
                ColumnDef c = cols.get(k);
                String v = fields.get(k);
                row[c.attnum() - 1] = v == null ? null : Casts.input(c.type(), c.typmod(), v, zone);
            }
            Env env = new Env(ex, null);
            for (int k = 0; k < row.length; k++) {
                Expr d = defaults.get(k);
                if (d != null) {
                    row[k] = d.eval(env);
                }
            }
            ex.txn.insert(table, row);
            rows++;
        }

        /** A CSV record: quoted fields may hold delimiters, quotes (doubled or escaped) and newlines; an unquoted null string is NULL. */
        private List<String> csvFields(String line) {
            List<String> out = new ArrayList<>();
            StringBuilder val = new StringBuilder();
            boolean quoted = false;
            boolean wasQuoted = false;
            for (int i = 0; i <= line.length(); i++) {
                if (i == line.length()) {
                    out.add(!wasQuoted && val.toString().equals(f.nullString()) ? null : val.toString());
                    break;
                }
                char c = line.charAt(i);
                if (quoted) {
                    if (c == f.escape() && i + 1 < line.length() && line.charAt(i + 1) == f.quote()) {
                        val.append(f.quote());
                        i++;
                    } else if (c == f.quote()) {
                        quoted = false;
                    } else {
                        val.append(c);
                    }
                } else if (c == f.quote()) {
                    quoted = true;
                    wasQuoted = true;
                } else if (c == f.delimiter()) {
                    out.add(!wasQuoted && val.toString().equals(f.nullString()) ? null : val.toString());
                    val.setLength(0);
                    wasQuoted = false;
                } else {
                    val.append(c);
                }
            }
            if (quoted) {
                throw new LrepException(SqlState.BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
            }
            return out;
        }

        @Override
        public String finish() {
            drain(true);
            return "COPY " + rows;
        }

        @Override
        public void fail(String message) {
            pending.reset();
        }

        @Override
        public byte[] read() {
            throw new IllegalStateException("COPY FROM has no output");
        }

        @Override
        public String commandTag() {
            return "COPY " + rows;
        }
    }

    // =====================================================================================
    // COPY TO STDOUT
    // =====================================================================================

    static final class CopyOut implements CopyStream {
        private static final int CHUNK_BYTES = 64 * 1024;
        private final Exec ex;
        private final List<ColumnInfo> cols;
        private final Format f;
        private final RowIter it;
        private long rows;
        private boolean headerDone;
        private boolean done;

        CopyOut(Exec ex, Plan plan, List<ColumnInfo> cols, Format f) {
            this.ex = ex;
            this.cols = cols;
            this.f = f;
            this.it = plan.open(ex, null);
            this.headerDone = !f.header() || !f.csv();
        }

        @Override
        public int columnCount() {
            return cols.size();
        }

        @Override
        public boolean csv() {
            return f.csv();
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            throw new IllegalStateException("COPY TO takes no input");
        }

        @Override
        public String finish() {
            return commandTag();
        }

        @Override
        public void fail(String message) {
            done = true;
        }

        @Override
        public byte[] read() {
            if (done) {
                return null;
            }
            StringBuilder sb = new StringBuilder(CHUNK_BYTES + 1024);
            if (!headerDone) {
                headerDone = true;
                for (int i = 0; i < cols.size(); i++) {
                    if (i > 0) {
                        sb.append(f.delimiter());
                    }
                    sb.append(csvQuote(cols.get(i).name(), false));
                }
                sb.append('\n');
            }
            ZoneId zone = ex.session.timeZone();
            while (sb.length() < CHUNK_BYTES) {
                Object[] row = it.next();
                if (row == null) {
                    done = true;
                    break;
                }
                ex.checkCancel();
                rows++;
                for (int i = 0; i < cols.size(); i++) {
                    if (i > 0) {
                        sb.append(f.delimiter());
                    }
                    Object v = row[i];
                    if (v == null) {
                        sb.append(f.nullString());
                        continue;
                    }
                    PgType t = cols.get(i).type();
                    String text = Casts.output(t == PgType.UNKNOWN ? PgType.TEXT : t, v, zone);
                    if (f.csv()) {
                        sb.append(csvQuote(text, true));
                    } else {
                        appendEscaped(sb, text);
                    }
                }
                sb.append('\n');
            }
            if (sb.length() == 0) {
                return null;
            }
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }

        /** Appends {@code s} in COPY's text format: backslash escapes for the delimiter, backslash and control characters. */
        private void appendEscaped(StringBuilder sb, String s) {
            char delimiter = f.delimiter();
            int clean = 0;
            while (clean < s.length()) {
                char c = s.charAt(clean);
                if (c == '\\' || c == delimiter || c < ' ') {
                    break;
                }
                clean++;
            }
            if (clean == s.length()) {
                sb.append(s); // the common case: nothing to escape
                return;
            }
            sb.append(s, 0, clean);
            for (int i = clean; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    case '\u000b' -> sb.append("\\v");
                    default -> {
                        if (c == delimiter) {
                            sb.append('\\');
                        }
                        sb.append(c);
                    }
                }
            }
        }

        private String csvQuote(String s, boolean value) {
            boolean need = value && s.equals(f.nullString()) || s.indexOf(f.delimiter()) >= 0 || s.indexOf(f.quote()) >= 0
                    || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
            if (!need) {
                return s;
            }
            StringBuilder sb = new StringBuilder().append(f.quote());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == f.quote() || c == f.escape()) {
                    sb.append(f.escape());
                }
                sb.append(c);
            }
            return sb.append(f.quote()).toString();
        }

        @Override
        public String commandTag() {
            return "COPY " + rows;
        }
    }
}
