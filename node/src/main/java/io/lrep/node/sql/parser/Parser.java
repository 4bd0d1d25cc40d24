package io.lrep.node.sql.parser;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.ast.Alias;
import io.lrep.node.sql.ast.Expr;
import io.lrep.node.sql.ast.FromItem;
import io.lrep.node.sql.ast.Ident;
import io.lrep.node.sql.ast.QualifiedName;
import io.lrep.node.sql.ast.Query;
import io.lrep.node.sql.ast.QueryExpr;
import io.lrep.node.sql.ast.SelectItem;
import io.lrep.node.sql.ast.SortItem;
import io.lrep.node.sql.ast.SourceSpan;
import io.lrep.node.sql.ast.Statement;
import io.lrep.node.sql.ast.TypeName;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The recursive-descent parser's cursor over one query string's tokens, with the shared
 * grammar pieces (names, types, expressions, queries) that statement parsers build on.
 * Statement parsers ({@link StatementRegistry.StatementParser}) are called with the cursor on
 * their first token and build their record with {@link #span()} when done.
 *
 * <p>Expressions follow PostgreSQL 15's precedence, loosest first: OR, AND, NOT, IS / ISNULL /
 * NOTNULL, comparisons (non-associative), BETWEEN / IN / LIKE / ILIKE / SIMILAR, any other
 * operator (||, ~, OPERATOR(...)), + -, * / %, ^, AT TIME ZONE, COLLATE, unary minus, [ ], ::.
 */
public final class Parser {

    // precedence levels (higher binds tighter)
    private static final int P_OR = 1;
    private static final int P_AND = 2;
    private static final int P_NOT = 3;
    private static final int P_IS = 4;
    private static final int P_CMP = 5;
    private static final int P_LIKE = 6;
    private static final int P_OP = 8;
    private static final int P_ADD = 9;
    private static final int P_MUL = 10;
    private static final int P_EXP = 11;
    private static final int P_AT = 12;
    private static final int P_COLLATE = 13;
    private static final int P_UMINUS = 14;

    private static final Set<String> CMP_OPS = Set.of("<", ">", "=", "<=", ">=", "<>");
    private static final Set<String> PUNCT = Set.of(",", "(", ")", "[", "]", ".", ";", ":", "::", ":=", "..", "=>");
    private static final Set<String> TARGET_END = Set.of("from", "where", "group", "having", "window", "order",
            "limit", "offset", "fetch", "for", "union", "intersect", "except", "into", "on", "returning");

    private final String sql;
    private final List<Token> tokens;
    private final StatementRegistry registry;
    private int p;
    private int statementStart;

    Parser(String sql, StatementRegistry registry) {
        this.sql = sql;
        this.tokens = Lexer.tokenize(sql);
        this.registry = registry;
    }

    // ---- statements -------------------------------------------------------------------------------

    List<Statement> statements() {
        List<Statement> out = new ArrayList<>();
        while (true) {
            while (acceptOp(";")) {
                // empty statement
            }
            if (peek().kind() == Token.Kind.EOF) {
                return List.copyOf(out);
            }
            out.add(statement());
            if (!peek().isOp(";") && peek().kind() != Token.Kind.EOF) {
                throw syntaxError();
            }
        }
    }

    /** Parses one statement at the cursor (used for nested statements too: EXPLAIN, CTEs, CREATE SCHEMA). */
    public Statement statement() {
        int saved = statementStart;
        statementStart = p;
        try {
            return registry.parse(this);
        } finally {
            statementStart = saved;
        }
    }

    /** The span of the statement being parsed, from its first token to the last token consumed. */
    public SourceSpan span() {
        int start = tokens.get(statementStart).start();
        int end = p > statementStart ? tokens.get(p - 1).end() : start;
        return new SourceSpan(start, end, sql.substring(start, end));
    }

    /** The query string being parsed. */
    public String sql() {
        return sql;
    }

    // ---- token helpers -------------------------------------------------------------------------------

    public Token peek() {
        return tokens.get(p);
    }

    public Token peek(int ahead) {
        return tokens.get(Math.min(p + ahead, tokens.size() - 1));
    }

    public Token next() {
        Token t = tokens.get(p);
        if (t.kind() != Token.Kind.EOF) {
            p++;
        }
        return t;
    }

    public int mark() {
        return p;
    }

    public void reset(int mark) {
        p = mark;
    }

    public boolean isKw(String kw) {
        return peek().is(kw);
    }

    public boolean isKw(int ahead, String kw) {
        return peek(ahead).is(kw);
    }

    /** Consumes the keywords if they all follow in order; otherwise consumes nothing. */
    public boolean acceptKw(String... kws) {
        for (int k = 0; k < kws.length; k++) {
            if (!peek(k).is(kws[k])) {
                return false;
            }
        }
        p += kws.length;
        return true;
    }

    public Token expectKw(String... kws) {
        Token first = peek();
        for (String kw : kws) {
            if (!isKw(kw)) {
                throw syntaxError();
            }
            next();
        }
        return first;
    }

    public boolean isOp(String op) {
        return peek().isOp(op);
    }

    public boolean acceptOp(String op) {
        if (isOp(op)) {
            p++;
            return true;
        }
        return false;
    }

    public Token expectOp(String op) {
        if (!isOp(op)) {
            throw syntaxError();
        }
        return next();
    }

    /** PostgreSQL's "syntax error at or near" for the current token. */
    public LrepException syntaxError() {
        return syntaxErrorAt(peek());
    }

    public LrepException syntaxErrorAt(Token t) {
        if (t.kind() == Token.Kind.EOF) {
            return new LrepException(SqlState.SYNTAX_ERROR, "syntax error at end of input").withPosition(t.pos());
        }
        return new LrepException(SqlState.SYNTAX_ERROR,
                "syntax error at or near \"" + sql.substring(t.start(), t.end()) + "\"").withPosition(t.pos());
    }

    /** An error of any code pointing at a token. */
    public LrepException errorAt(Token t, SqlState state, String message) {
        return new LrepException(state, message).withPosition(t.pos());
    }

    /** An unquoted identifier's (lower-case) word, or null: for statements keyed by non-keywords. */
    public String unquotedWord(Token t) {
        if (t.kind() != Token.Kind.IDENT || sql.charAt(t.start()) == '"' || sql.charAt(t.start()) == 'u'
                && t.end() - t.start() > 1 && sql.charAt(t.start() + 1) == '&'
                || sql.charAt(t.start()) == 'U' && t.end() - t.start() > 1 && sql.charAt(t.start() + 1) == '&') {
            return null;
        }
        return t.value();
    }

    /** Consumes an unquoted word (keyword or not), e.g. a replication command's name. */
    public boolean acceptWord(String word) {
        if (word.equals(unquotedWord(peek()))) {
            p++;
            return true;
        }
        return false;
    }

    /** True at the end of the statement (';' or end of input). */
    public boolean atEnd() {
        return peek().kind() == Token.Kind.EOF || isOp(";");
    }

    // ---- names ----------------------------------------------------------------------------------------

    private static Keywords.Category category(Token t) {
        return t.keyword() == null ? null : Keywords.category(t.keyword());
    }

    /** IDENT, unreserved or column-name keyword (PostgreSQL's ColId). */
    public boolean isColId(Token t) {
        if (t.kind() != Token.Kind.IDENT) {
            return false;
        }
        Keywords.Category c = category(t);
        return c == null || c == Keywords.Category.UNRESERVED || c == Keywords.Category.COL_NAME;
    }

    /** IDENT, unreserved or type/function-name keyword (PostgreSQL's type_function_name). */
    public boolean isTypeFuncName(Token t) {
        if (t.kind() != Token.Kind.IDENT) {
            return false;
        }
        Keywords.Category c = category(t);
        return c == null || c == Keywords.Category.UNRESERVED || c == Keywords.Category.TYPE_FUNC_NAME;
    }

    /** Any identifier or keyword (ColLabel). */
    public boolean isColLabel(Token t) {
        return t.kind() == Token.Kind.IDENT;
    }

    public String colId() {
        if (!isColId(peek())) {
            throw syntaxError();
        }
        return next().value();
    }

    public Ident colIdent() {
        Token t = peek();
        return new Ident(colId(), t.pos());
    }

    public String colLabel() {
        if (!isColLabel(peek())) {
            throw syntaxError();
        }
        return next().value();
    }

    /** NonReservedWord: IDENT or any non-reserved keyword. */
    public String nonReservedWord() {
        Token t = peek();
        if (t.kind() != Token.Kind.IDENT || category(t) == Keywords.Category.RESERVED) {
            throw syntaxError();
        }
        return next().value();
    }

    /** {@code ColId [. ColLabel [. ColLabel]]} as name parts. */
    public List<String> anyName() {
        List<String> parts = new ArrayList<>();
        parts.add(colId());
        while (isOp(".")) {
            next();
            parts.add(colLabel());
        }
        return parts;
    }

    /** {@code [[catalog.]schema.]name}. */
    public QualifiedName qualifiedName() {
        Token t = peek();
        List<String> parts = anyName();
        return toQualified(parts, t);
    }

    QualifiedName toQualified(List<String> parts, Token t) {
        return switch (parts.size()) {
            case 1 -> new QualifiedName(null, null, parts.get(0), t.pos());
            case 2 -> new QualifiedName(null, parts.get(0), parts.get(1), t.pos());
            case 3 -> new QualifiedName(parts.get(0), parts.get(1), parts.get(2), t.pos());
            default -> throw errorAt(t, SqlState.SYNTAX_ERROR, "improper qualified name (too many dotted names): "
                    + String.join(".", parts));
        };
    }

    public List<QualifiedName> qualifiedNameList() {
        List<QualifiedName> out = new ArrayList<>();
        do {
            out.add(qualifiedName());
        } while (acceptOp(","));
        return List.copyOf(out);
    }

    /** {@code (col, ...)}. */
    public List<Ident> columnList() {
        expectOp("(");
        List<Ident> out = new ArrayList<>();
        do {
            out.add(colIdent());
        } while (acceptOp(","));
        expectOp(")");
        return List.copyOf(out);
    }

    public String stringConstant() {
        if (peek().kind() != Token.Kind.STRING) {
            throw syntaxError();
        }
        return next().value();
    }

    /** A signed integer constant as a long (sequence options, CONNECTION LIMIT). */
    public long signedLong() {
        boolean neg = false;
        if (acceptOp("-")) {
            neg = true;
        } else {
            acceptOp("+");
        }
        Token t = peek();
        if (t.kind() != Token.Kind.NUMBER) {
            throw syntaxError();
        }
        next();
        try {
            return Long.parseLong((neg ? "-" : "") + t.value());
        } catch (NumberFormatException e) {
            throw errorAt(t, SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                    "value \"" + (neg ? "-" : "") + t.value() + "\" is out of range for type bigint");
        }
    }

    // ---- types ----------------------------------------------------------------------------------------

    private static final Set<String> TYPE_KEYWORDS = Set.of("int", "integer", "smallint", "bigint", "real", "float",
            "double", "decimal", "dec", "numeric", "boolean", "bit", "character", "char", "nchar", "national",
            "varchar", "timestamp", "time", "interval", "setof");

    /** PostgreSQL's Typename. */
    public TypeName typeName() {
        Token start = peek();
        boolean setof = acceptKw("setof");
        TypeName t = simpleTypeName(start);
        int dims = 0;
        while (true) {
            if (isOp("[")) {
                next();
                if (peek().kind() == Token.Kind.NUMBER) {
                    next();
                }
                expectOp("]");
                dims++;
            } else if (isKw("array")) {
                next();
                if (acceptOp("[")) {
                    if (peek().kind() == Token.Kind.NUMBER) {
                        next();
                    }
                    expectOp("]");
                }
                dims++;
            } else {
                break;
            }
        }
        return new TypeName(t.schema(), t.name(), t.modifiers(), dims, setof, t.intervalFields(), start.pos());
    }

    private TypeName sys(String name, List<Expr> mods, Token t) {
        return new TypeName("pg_catalog", name, mods, 0, false, List.of(), t.pos());
    }

    private List<Expr> optModifiers() {
        if (!isOp("(")) {
            return List.of();
        }
        next();
        List<Expr> mods = new ArrayList<>();
        do {
            mods.add(expr());
        } while (acceptOp(","));
        expectOp(")");
        return List.copyOf(mods);
    }

    private TypeName simpleTypeName(Token t) {
        String kw = peek().keyword();
        if (kw != null) {
            switch (kw) {
                case "int", "integer" -> {
                    next();
                    return sys("int4", List.of(), t);
                }
                case "smallint" -> {
                    next();
                    return sys("int2", List.of(), t);
                }
                case "bigint" -> {
                    next();
                    return sys("int8", List.of(), t);
                }
                case "real" -> {
                    next();
                    return sys("float4", List.of(), t);
                }
                case "float" -> {
                    next();
                    List<Expr> m = optModifiers();
                    if (!m.isEmpty() && m.get(0) instanceof Expr.NumberLiteral n) {
                        int prec = Integer.parseInt(n.text());
                        if (prec < 1) {
                            throw errorAt(t, SqlState.INVALID_PARAMETER_VALUE, "precision for type float must be at least 1 bit");
                        }
                        if (prec > 53) {
                            throw errorAt(t, SqlState.INVALID_PARAMETER_VALUE, "precision for type float must be less than 54 bits");
                        }
                        return sys(prec <= 24 ? "float4" : "float8", List.of(), t);
                    }
                    return sys("float8", List.of(), t);
                }
                case "double" -> {
                    if (isKw(1, "precision")) {
                        p += 2;
                        return sys("float8", List.of(), t);
                    }
                }
                case "decimal", "dec", "numeric" -> {
                    next();
                    return sys("numeric", optModifiers(), t);
                }
                case "boolean" -> {
                    next();
                    return sys("bool", List.of(), t);
                }
                case "bit" -> {
                    next();
                    boolean varying = acceptKw("varying");
                    List<Expr> m = optModifiers();
                    if (!varying && m.isEmpty()) {
                        m = List.of(new Expr.NumberLiteral("1", PgType.INT4, 0));
                    }
                    return sys(varying ? "varbit" : "bit", m, t);
                }
                case "character", "char", "nchar", "national", "varchar" -> {
                    next();
                    if (kw.equals("national")) {
                        expectKw("character");
                    }
                    boolean varying = kw.equals("varchar") || acceptKw("varying");
                    List<Expr> m = optModifiers();
                    if (!varying && m.isEmpty()) {
                        m = List.of(new Expr.NumberLiteral("1", PgType.INT4, 0));
                    }
                    return sys(varying ? "varchar" : "bpchar", m, t);
                }
                case "timestamp", "time" -> {
                    next();
                    List<Expr> m = optModifiers();
                    boolean tz = false;
                    if (acceptKw("with", "time", "zone")) {
                        tz = true;
                    } else {
                        acceptKw("without", "time", "zone");
                    }
                    return sys(kw + (tz ? "tz" : ""), m, t);
                }
                case "interval" -> {
                    next();
                    List<Expr> m = optModifiers();
                    List<String> fields = intervalFields();
                    if (m.isEmpty() && !fields.isEmpty() && isOp("(")) {
                        m = optModifiers();
                    }
                    return new TypeName("pg_catalog", "interval", m, 0, false, fields, t.pos());
                }
                default -> {
                    // a generic type name
                }
            }
        }
        if (!isTypeFuncName(peek())) {
            throw syntaxError();
        }
        List<String> parts = new ArrayList<>();
        parts.add(next().value());
        while (isOp(".")) {
            next();
            parts.add(colLabel());
        }
        List<Expr> mods = optModifiers();
        String name = parts.get(parts.size() - 1);
        String schema = parts.size() > 1 ? parts.get(parts.size() - 2) : null;
        return new TypeName(schema, name, mods, 0, false, List.of(), t.pos());
    }

    private static final Set<String> INTERVAL_FIELDS = Set.of("year", "month", "day", "hour", "minute", "second");

    private List<String> intervalFields() {
        List<String> fields = new ArrayList<>();
        if (peek().keyword() != null && INTERVAL_FIELDS.contains(peek().keyword())) {
            fields.add(next().keyword());
            if (acceptKw("to")) {
                if (peek().keyword() == null || !INTERVAL_FIELDS.contains(peek().keyword())) {
                    throw syntaxError();
                }
                fields.add(next().keyword());
            }
        }
        return List.copyOf(fields);
    }

    // ---- expressions ----------------------------------------------------------------------------------

    /** A full expression (a_expr). */
    public Expr expr() {
        return expr(P_OR);
    }

    /** An expression that is not a boolean combination: the operands of BETWEEN (b_expr, roughly). */
    public Expr operand() {
        return expr(P_OP);
    }

    /** An expression or DEFAULT (INSERT VALUES, UPDATE SET). */
    public Expr exprOrDefault() {
        if (isKw("default")) {
            return new Expr.DefaultValue(next().pos());
        }
        return expr();
    }

    public List<Expr> exprList() {
        List<Expr> out = new ArrayList<>();
        do {
            out.add(expr());
        } while (acceptOp(","));
        return List.copyOf(out);
    }

    private int infixPrecedence(Token t) {
        if (t.kind() == Token.Kind.OP) {
            String op = t.value();
            if (PUNCT.contains(op)) {
                return 0;
            }
            if (CMP_OPS.contains(op)) {
                return P_CMP;
            }
            return switch (op) {
                case "+", "-" -> P_ADD;
                case "*", "/", "%" -> P_MUL;
                case "^" -> P_EXP;
                default -> P_OP;
            };
        }
        if (t.keyword() == null) {
            return 0;
        }
        return switch (t.keyword()) {
            case "or" -> P_OR;
            case "and" -> P_AND;
            case "is", "isnull", "notnull" -> P_IS;
            case "between", "in", "like", "ilike", "similar" -> P_LIKE;
            case "not" -> {
                String n = peek(1).keyword();
                yield n != null && Set.of("between", "in", "like", "ilike", "similar").contains(n) ? P_LIKE : 0;
            }
            case "operator" -> peek(1).isOp("(") ? P_OP : 0;
            case "at" -> peek(1).is("time") && peek(2).is("zone") ? P_AT : 0;
            case "collate" -> P_COLLATE;
            default -> 0;
        };
    }

    private Expr expr(int min) {
        Expr left = prefix();
        int lastNonAssoc = 0;
        while (true) {
            Token t = peek();
            int prec = infixPrecedence(t);
            if (prec == 0 || prec < min) {
                return left;
            }
            if (prec == lastNonAssoc) {
                throw syntaxError();
            }
            left = infix(left, t, prec);
            lastNonAssoc = prec == P_CMP || prec == P_LIKE || prec == P_IS ? prec : 0;
        }
    }

    private Expr prefix() {
        Token t = peek();
        if (t.is("not")) {
            next();
            Expr arg = expr(P_NOT);
            return new Expr.BoolExpr(Expr.BoolOp.NOT, List.of(arg), t.pos());
        }
        if (t.isOp("-") || t.isOp("+")) {
            next();
            Expr arg = expr(P_UMINUS);
            if (t.isOp("-") && arg instanceof Expr.NumberLiteral n && !n.text().startsWith("-")) {
                return negate(n, t);
            }
            return new Expr.UnaryOp(null, t.value(), arg, t.pos());
        }
        if (t.kind() == Token.Kind.OP && !PUNCT.contains(t.value()) && !CMP_OPS.contains(t.value())
                && !t.value().equals("*") && !t.value().equals("/") && !t.value().equals("%") && !t.value().equals("^")) {
            next();
            return new Expr.UnaryOp(null, t.value(), expr(P_OP + 1), t.pos());
        }
        if (t.is("operator") && peek(1).isOp("(")) {
            next();
            String[] op = qualifiedOperator();
            return new Expr.UnaryOp(op[0], op[1], expr(P_OP + 1), t.pos());
        }
        return postfix(primary());
    }

    private static Expr negate(Expr.NumberLiteral n, Token minus) {
        String text = "-" + n.text();
        PgType type = n.type();
        if (type == PgType.INT8 && text.equals(Long.toString(Long.MIN_VALUE))) {
            type = PgType.INT8;
        } else if (type == PgType.INT8 && Long.parseLong(text) >= Integer.MIN_VALUE) {
            type = PgType.INT4;
        } else if (type == PgType.NUMERIC && !text.contains(".") && !text.contains("e") && !text.contains("E")
                && text.equals(Long.toString(Long.MIN_VALUE))) {
            type = PgType.INT8;
        }
        return new Expr.NumberLiteral(text, type, minus.pos());
    }

    /** {@code OPERATOR(schema.op)} with the cursor on '('; returns {schema, op}. */
    private String[] qualifiedOperator() {
        expectOp("(");
        String schema = null;
        if (peek().kind() == Token.Kind.IDENT) {
            schema = colId();
            expectOp(".");
            while (peek().kind() == Token.Kind.IDENT) {
                schema = schema + "." + next().value();
                expectOp(".");
            }
        }
        Token op = peek();
        if (op.kind() != Token.Kind.OP || PUNCT.contains(op.value())) {
            throw syntaxError();
        }
        next();
        expectOp(")");
        return new String[] {schema, op.value()};
    }

    private Expr infix(Expr left, Token t, int prec) {
        String kw = t.keyword();
        if (kw != null) {
            switch (kw) {
                case "or", "and" -> {
                    next();
                    Expr right = expr(prec + 1);
                    Expr.BoolOp op = kw.equals("or") ? Expr.BoolOp.OR : Expr.BoolOp.AND;
                    List<Expr> args = new ArrayList<>();
                    if (left instanceof Expr.BoolExpr b && b.op() == op) {
                        args.addAll(b.args());
                    } else {
                        args.add(left);
                    }
                    args.add(right);
                    return new Expr.BoolExpr(op, List.copyOf(args), left instanceof Expr.BoolExpr b2 && b2.op() == op
                            ? b2.pos() : t.pos());
                }
                case "isnull", "notnull" -> {
                    next();
                    return new Expr.NullTest(left, kw.equals("notnull"), t.pos());
                }
                case "is" -> {
                    return isExpr(left, t);
                }
                case "collate" -> {
                    next();
                    return new Expr.Collate(left, List.copyOf(anyName()), t.pos());
                }
                case "at" -> {
                    next();
                    next();
                    next();
                    Expr zone = expr(P_AT + 1);
                    return Expr.FuncCall.of("pg_catalog", "timezone", List.of(zone, left), t.pos());
                }
                case "operator" -> {
                    next();
                    String[] op = qualifiedOperator();
                    return binary(op[0], op[1], left, t);
                }
                default -> {
                    return likeInBetween(left, t);
                }
            }
        }
        next();
        return binary(null, t.value(), left, t);
    }

    private Expr binary(String schema, String op, Expr left, Token t) {
        int prec = schema != null ? P_OP : infixPrecedence(t);
        if ((isKw("any") || isKw("some") || isKw("all")) && peek(1).isOp("(")) {
            boolean all = next().is("all");
            return quantified(schema, op, left, all, t);
        }
        Expr right = expr(prec + 1);
        return new Expr.BinaryOp(schema, op, left, right, t.pos());
    }

    private Expr quantified(String schema, String op, Expr left, boolean all, Token t) {
        if (isQueryStart(1)) {
            Query q = tryParenthesizedQuery();
            if (q != null) {
                return new Expr.QuantifiedSubquery(schema, op, left, all, q, t.pos());
            }
        }
        expectOp("(");
        Expr arr = expr();
        expectOp(")");
        return new Expr.QuantifiedArray(schema, op, left, all, arr, t.pos());
    }

    private Expr isExpr(Expr left, Token t) {
        next();
        boolean not = acceptKw("not");
        if (acceptKw("null")) {
            return new Expr.NullTest(left, not, t.pos());
        }
        if (acceptKw("true")) {
            return new Expr.BoolTest(left, not ? Expr.BoolTestKind.IS_NOT_TRUE : Expr.BoolTestKind.IS_TRUE, t.pos());
        }
        if (acceptKw("false")) {
            return new Expr.BoolTest(left, not ? Expr.BoolTestKind.IS_NOT_FALSE : Expr.BoolTestKind.IS_FALSE, t.pos());
        }
        if (acceptKw("unknown")) {
            return new Expr.BoolTest(left, not ? Expr.BoolTestKind.IS_NOT_UNKNOWN : Expr.BoolTestKind.IS_UNKNOWN,
                    t.pos());
        }
        if (acceptKw("distinct", "from")) {
            Expr right = expr(P_IS + 1);
            return new Expr.DistinctFrom(left, right, not, t.pos());
        }
        throw syntaxError();
    }

    private Expr likeInBetween(Expr left, Token t) {
        boolean not = false;
        if (t.is("not")) {
            next();
            not = true;
        }
        Token op = next();
        switch (op.keyword()) {
            case "between" -> {
                boolean symmetric = acceptKw("symmetric");
                if (!symmetric) {
                    acceptKw("asymmetric");
                }
                Expr low = expr(P_OP);
                expectKw("and");
                Expr high = expr(P_LIKE + 1);
                return new Expr.Between(left, low, high, not, symmetric, t.pos());
            }
            case "in" -> {
                if (!isOp("(")) {
                    throw syntaxError();
                }
                if (isQueryStart(1)) {
                    Query q = tryParenthesizedQuery();
                    if (q != null) {
                        return new Expr.InSubquery(left, q, not, op.pos());
                    }
                }
                expectOp("(");
                List<Expr> list = exprList();
                expectOp(")");
                return new Expr.InList(left, list, not, op.pos());
            }
            default -> {
                Expr.LikeKind kind;
                String sym;
                if (op.is("similar")) {
                    expectKw("to");
                    kind = Expr.LikeKind.SIMILAR;
                    sym = not ? "!~" : "~";
                } else if (op.is("ilike")) {
                    kind = Expr.LikeKind.ILIKE;
                    sym = not ? "!~~*" : "~~*";
                } else {
                    kind = Expr.LikeKind.LIKE;
                    sym = not ? "!~~" : "~~";
                }
                if (kind != Expr.LikeKind.SIMILAR && (isKw("any") || isKw("all") || isKw("some"))
                        && peek(1).isOp("(")) {
                    boolean all = next().is("all");
                    return quantified(null, sym, left, all, op);
                }
                Expr pattern = expr(P_LIKE + 2);
                Expr escape = null;
                if (acceptKw("escape")) {
                    escape = expr(P_LIKE + 2);
                }
                return new Expr.Like(left, pattern, escape, kind, not, op.pos());
            }
        }
    }

    private Expr postfix(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp("::")) {
                next();
                e = new Expr.Cast(e, typeName(), t.pos());
            } else if (t.isOp("[")) {
                next();
                Expr lower = null;
                Expr upper = null;
                boolean slice = false;
                if (!isOp(":")) {
                    lower = expr();
                }
                if (acceptOp(":")) {
                    slice = true;
                    if (!isOp("]")) {
                        upper = expr();
                    }
                }
                expectOp("]");
                e = new Expr.Subscript(e, lower, upper, slice, t.pos());
            } else if (t.isOp(".") && (e instanceof Expr.Subscript || e instanceof Expr.FieldSelect)) {
                next();
                String field = acceptOp("*") ? "*" : colLabel();
                e = new Expr.FieldSelect(e, field, t.pos());
            } else {
                return e;
            }
        }
    }

    private Expr primary() {
        Token t = peek();
        switch (t.kind()) {
            case NUMBER -> {
                next();
                return new Expr.NumberLiteral(t.value(), t.numberType(), t.pos());
            }
            case STRING -> {
                next();
                return new Expr.StringLiteral(t.value(), t.pos());
            }
            case BITSTRING -> {
                next();
                return new Expr.BitStringLiteral(t.value(), t.pos());
            }
            case PARAM -> {
                next();
                return new Expr.Param(Integer.parseInt(t.value()), t.pos());
            }
            case OP -> {
                if (t.isOp("(")) {
                    return parenthesized();
                }
                throw syntaxError();
            }
            case EOF -> throw syntaxError();
            default -> {
                return identifierExpr(t);
            }
        }
    }

    private Expr parenthesized() {
        Token open = peek();
        if (isQueryStart(1)) {
            Query q = tryParenthesizedQuery();
            if (q != null) {
                return new Expr.ScalarSubquery(q, open.pos());
            }
        }
        next();
        Expr first = expr();
        if (isOp(",")) {
            List<Expr> fields = new ArrayList<>();
            fields.add(first);
            while (acceptOp(",")) {
                fields.add(expr());
            }
            expectOp(")");
            return new Expr.RowConstructor(List.copyOf(fields), false, open.pos());
        }
        expectOp(")");
        if (isOp(".")) {
            Token dot = next();
            String field = acceptOp("*") ? "*" : colLabel();
            return new Expr.FieldSelect(first, field, dot.pos());
        }
        return first;
    }

    /** True when, after {@code ahead} tokens and any further '(' tokens, a query begins. */
    public boolean isQueryStart(int ahead) {
        int k = ahead;
        while (peek(k).isOp("(")) {
            k++;
        }
        Token t = peek(k);
        return t.is("select") || t.is("values") || t.is("with") || t.is("table");
    }

    /**
     * Parses {@code ( query )} at the cursor. When the query is nested in further parentheses and
     * does not parse as one, rewinds and returns null so the caller can parse an expression.
     */
    private Query tryParenthesizedQuery() {
        int m = mark();
        boolean direct = !peek(1).isOp("(");
        try {
            expectOp("(");
            Query q = query();
            expectOp(")");
            return q;
        } catch (LrepException e) {
            if (direct) {
                throw e;
            }
            reset(m);
            return null;
        }
    }

    /** {@code ( query )}, required. */
    public Query parenthesizedQuery() {
        expectOp("(");
        Query q = query();
        expectOp(")");
        return q;
    }

    private Expr identifierExpr(Token t) {
        String kw = t.keyword();
        if (kw != null) {
            Expr special = keywordExpr(t, kw);
            if (special != null) {
                return special;
            }
        }
        // typed literal: type 'string'
        if (looksLikeTypedLiteral(t)) {
            int m = mark();
            try {
                TypeName type = typeName();
                if (peek().kind() == Token.Kind.STRING) {
                    Token s = next();
                    List<String> fields = type.intervalFields();
                    if (type.name().equals("interval") && fields.isEmpty()) {
                        fields = intervalFields();
                        type = new TypeName(type.schema(), type.name(), type.modifiers(), type.arrayDims(), false,
                                fields, type.pos());
                    }
                    return new Expr.TypedLiteral(type, s.value(), s.pos());
                }
            } catch (LrepException e) {
                // not a type name: parse it as a name below
            }
            reset(m);
        }
        Keywords.Category cat = category(t);
        if (cat == Keywords.Category.RESERVED) {
            throw syntaxError();
        }
        boolean funcName = isTypeFuncName(t);
        boolean colId = isColId(t);
        next();
        List<String> names = new ArrayList<>();
        names.add(t.value());
        while (isOp(".")) {
            next();
            if (isOp("*")) {
                next();
                return new Expr.Star(List.copyOf(names), t.pos());
            }
            names.add(colLabel());
        }
        if (isOp("(") && (names.size() > 1 ? colId : funcName)) {
            return functionCall(names, t);
        }
        if (!colId) {
            throw syntaxErrorAt(t);
        }
        return new Expr.ColumnRef(List.copyOf(names), t.pos());
    }

    /** A name (or SQL type keyword) followed, after optional (modifiers), by a string constant. */
    private boolean looksLikeTypedLiteral(Token t) {
        if (t.kind() != Token.Kind.IDENT) {
            return false;
        }
        if (t.keyword() != null && TYPE_KEYWORDS.contains(t.keyword())) {
            return true;
        }
        if (!isTypeFuncName(t)) {
            return false;
        }
        int k = 1;
        while (peek(k).isOp(".") && peek(k + 1).kind() == Token.Kind.IDENT) {
            k += 2;
        }
        if (peek(k).isOp("(")) {
            int depth = 0;
            do {
                Token x = peek(k);
                if (x.kind() == Token.Kind.EOF) {
                    return false;
                }
                if (x.isOp("(")) {
                    depth++;
                } else if (x.isOp(")")) {
                    depth--;
                }
                k++;
            } while (depth > 0);
        }
        return peek(k).kind() == Token.Kind.STRING;
    }

    private Expr keywordExpr(Token t, String kw) {
        switch (kw) {
            case "true", "false" -> {
                next();
                return new Expr.BoolLiteral(kw.equals("true"), t.pos());
            }
            case "null" -> {
                next();
                return new Expr.NullLiteral(t.pos());
            }
            case "case" -> {
                return caseExpr();
            }
            case "cast" -> {
                next();
                expectOp("(");
                Expr arg = expr();
                expectKw("as");
                TypeName type = typeName();
                expectOp(")");
                return new Expr.Cast(arg, type, t.pos());
            }
            case "exists" -> {
                if (peek(1).isOp("(")) {
                    next();
                    return new Expr.Exists(parenthesizedQuery(), t.pos());
                }
                return null;
            }
            case "array" -> {
                next();
                if (isOp("(")) {
                    return new Expr.ArraySubquery(parenthesizedQuery(), t.pos());
                }
                return arrayElements(t);
            }
            case "row" -> {
                if (peek(1).isOp("(")) {
                    next();
                    next();
                    List<Expr> fields = isOp(")") ? List.of() : exprList();
                    expectOp(")");
                    return new Expr.RowConstructor(fields, true, t.pos());
                }
                return null;
            }
            case "current_date" -> {
                next();
                return new Expr.SqlValueFunction(Expr.SqlValueKind.CURRENT_DATE, -1, t.pos());
            }
            case "current_time", "current_timestamp", "localtime", "localtimestamp" -> {
                next();
                int precision = -1;
                if (acceptOp("(")) {
                    Token n = peek();
                    if (n.kind() != Token.Kind.NUMBER) {
                        throw syntaxError();
                    }
                    next();
                    precision = Integer.parseInt(n.value());
                    expectOp(")");
                }
                return new Expr.SqlValueFunction(Expr.SqlValueKind.valueOf(kw.toUpperCase(java.util.Locale.ROOT)),
                        precision, t.pos());
            }
            case "current_user", "current_role", "session_user", "user", "current_catalog" -> {
                next();
                return new Expr.SqlValueFunction(Expr.SqlValueKind.valueOf(kw.toUpperCase(java.util.Locale.ROOT)),
                        -1, t.pos());
            }
            case "current_schema" -> {
                if (peek(1).isOp("(")) {
                    return null;
                }
                next();
                return new Expr.SqlValueFunction(Expr.SqlValueKind.CURRENT_SCHEMA, -1, t.pos());
            }
            case "coalesce", "greatest", "least" -> {
                if (!peek(1).isOp("(")) {
                    return null;
                }
                next();
                next();
                List<Expr> args = exprList();
                expectOp(")");
                return kw.equals("coalesce") ? new Expr.Coalesce(args, t.pos())
                        : new Expr.MinMax(kw.equals("greatest"), args, t.pos());
            }
            case "nullif" -> {
                if (!peek(1).isOp("(")) {
                    return null;
                }
                next();
                next();
                Expr a = expr();
                expectOp(",");
                Expr b = expr();
                expectOp(")");
                return new Expr.NullIf(a, b, t.pos());
            }
            case "extract" -> {
                if (!peek(1).isOp("(")) {
                    return null;
                }
                next();
                next();
                Token f = peek();
                String field;
                if (f.kind() == Token.Kind.IDENT) {
                    field = next().value();
                } else if (f.kind() == Token.Kind.STRING) {
                    field = next().value();
                } else {
                    throw syntaxError();
                }
                expectKw("from");
                Expr from = expr();
                expectOp(")");
                return Expr.FuncCall.of("pg_catalog", "extract", List.of(new Expr.StringLiteral(field, f.pos()), from),
                        t.pos());
            }
            case "position" -> {
                if (!peek(1).isOp("(")) {
                    return null;
                }
                next();
                next();
                Expr needle = expr(P_LIKE + 1);
                expectKw("in");
                Expr hay = expr();
                expectOp(")");
                return Expr.FuncCall.of("pg_catalog", "position", List.of(hay, needle), t.pos());
            }
            case "substring" -> {
                if (!peek(1).isOp("(")) {
                    return null;
                }
                next();
                next();
                return substring(t);
            }
            case "trim" -> {
                if (!peek(1).isOp("(")) {
                    return null;
                }
                next();
                next();
                return trim(t);
            }
            case "overlay" -> {
                if (!peek(1).isOp("(")) {
                    return null;
                }
                next();
                next();
                Expr s = expr();
                if (!acceptKw("placing")) {
                    List<Expr> args = new ArrayList<>();
                    args.add(s);
                    while (acceptOp(",")) {
                        args.add(expr());
                    }
                    expectOp(")");
                    return Expr.FuncCall.of(null, "overlay", List.copyOf(args), t.pos());
                }
                Expr placing = expr();
                expectKw("from");
                Expr from = expr();
                List<Expr> args = new ArrayList<>(List.of(s, placing, from));
                if (acceptKw("for")) {
                    args.add(expr());
                }
                expectOp(")");
                return Expr.FuncCall.of("pg_catalog", "overlay", List.copyOf(args), t.pos());
            }
            default -> {
                return null;
            }
        }
    }

    private Expr substring(Token t) {
        if (isOp(")")) {
            next();
            return Expr.FuncCall.of(null, "substring", List.of(), t.pos());
        }
        Expr s = expr();
        if (isOp(",")) {
            List<Expr> args = new ArrayList<>();
            args.add(s);
            while (acceptOp(",")) {
                args.add(expr());
            }
            expectOp(")");
            return Expr.FuncCall.of(null, "substring", List.copyOf(args), t.pos());
        }
        Expr from = null;
        Expr forExpr = null;
        Expr similar = null;
        if (acceptKw("from")) {
            from = expr();
            if (acceptKw("for")) {
                forExpr = expr();
            }
        } else if (acceptKw("for")) {
            forExpr = expr();
            if (acceptKw("from")) {
                from = expr();
            }
        } else if (acceptKw("similar")) {
            similar = expr();
            expectKw("escape");
            Expr esc = expr();
            expectOp(")");
            return Expr.FuncCall.of("pg_catalog", "substring", List.of(s, similar, esc), t.pos());
        } else {
            throw syntaxError();
        }
        expectOp(")");
        List<Expr> args = new ArrayList<>();
        args.add(s);
        args.add(from != null ? from : new Expr.NumberLiteral("1", PgType.INT4, 0));
        if (forExpr != null) {
            args.add(forExpr);
        }
        return Expr.FuncCall.of("pg_catalog", "substring", List.copyOf(args), t.pos());
    }

    private Expr trim(Token t) {
        String fn = "btrim";
        if (acceptKw("leading")) {
            fn = "ltrim";
        } else if (acceptKw("trailing")) {
            fn = "rtrim";
        } else {
            acceptKw("both");
        }
        List<Expr> args = new ArrayList<>();
        if (acceptKw("from")) {
            args.addAll(exprList());
        } else {
            Expr first = expr();
            if (acceptKw("from")) {
                List<Expr> rest = exprList();
                args.addAll(rest);
                args.add(first);
            } else {
                args.add(first);
                while (acceptOp(",")) {
                    args.add(expr());
                }
            }
        }
        expectOp(")");
        return Expr.FuncCall.of("pg_catalog", fn, List.copyOf(args), t.pos());
    }

    private Expr arrayElements(Token t) {
        expectOp("[");
        List<Expr> elems = new ArrayList<>();
        if (!isOp("]")) {
            do {
                if (isOp("[")) {
                    elems.add(arrayElements(peek()));
                } else {
                    elems.add(expr());
                }
            } while (acceptOp(","));
        }
        expectOp("]");
        return new Expr.ArrayConstructor(List.copyOf(elems), t.pos());
    }

    private Expr caseExpr() {
        Token t = next();
        Expr operand = isKw("when") ? null : expr();
        List<Expr.When> whens = new ArrayList<>();
        while (isKw("when")) {
            Token w = next();
            Expr cond = expr();
            expectKw("then");
            whens.add(new Expr.When(cond, expr(), w.pos()));
        }
        if (whens.isEmpty()) {
            throw syntaxError();
        }
        Expr otherwise = acceptKw("else") ? expr() : null;
        expectKw("end");
        return new Expr.Case(operand, List.copyOf(whens), otherwise, t.pos());
    }

    private Expr functionCall(List<String> names, Token t) {
        String schema;
        String name = names.get(names.size() - 1);
        if (names.size() == 1) {
            schema = null;
        } else if (names.size() == 2) {
            schema = names.get(0);
        } else if (names.size() == 3) {
            schema = names.get(1);
        } else {
            throw errorAt(t, SqlState.SYNTAX_ERROR, "improper qualified name (too many dotted names): "
                    + String.join(".", names));
        }
        expectOp("(");
        boolean star = false;
        boolean distinct = false;
        boolean variadic = false;
        List<Expr> args = new ArrayList<>();
        List<SortItem> orderBy = List.of();
        if (acceptOp("*")) {
            star = true;
        } else if (!isOp(")")) {
            if (acceptKw("distinct")) {
                distinct = true;
            } else {
                acceptKw("all");
            }
            do {
                if (acceptKw("variadic")) {
                    variadic = true;
                }
                if (isColLabel(peek()) && (peek(1).isOp("=>") || peek(1).isOp(":="))) {
                    Token n = next();
                    next();
                    args.add(new Expr.NamedArg(n.value(), expr(), n.pos()));
                } else {
                    args.add(expr());
                }
            } while (acceptOp(","));
            if (acceptKw("order", "by")) {
                orderBy = sortList();
            }
        }
        expectOp(")");
        if (acceptKw("within", "group")) {
            expectOp("(");
            expectKw("order", "by");
            orderBy = sortList();
            expectOp(")");
        }
        Expr filter = null;
        if (isKw("filter") && peek(1).isOp("(")) {
            next();
            next();
            expectKw("where");
            filter = expr();
            expectOp(")");
        }
        Expr.WindowSpec over = null;
        if (acceptKw("over")) {
            over = isOp("(") ? windowSpec(null) : new Expr.WindowSpec(colId(), List.of(), List.of(), null, t.pos());
        }
        return new Expr.FuncCall(schema, name, List.copyOf(args), star, distinct, orderBy, filter, over, variadic,
                t.pos());
    }

    /** {@code ( [existing] [PARTITION BY ...] [ORDER BY ...] [frame] )}. */
    private Expr.WindowSpec windowSpec(String ownName) {
        Token open = expectOp("(");
        String ref = ownName;
        if (isColId(peek()) && !isKw("partition") && !isKw("order") && !isKw("rows") && !isKw("range")
                && !isKw("groups")) {
            ref = next().value();
        }
        List<Expr> partition = List.of();
        List<SortItem> order = List.of();
        if (acceptKw("partition", "by")) {
            partition = exprList();
        }
        if (acceptKw("order", "by")) {
            order = sortList();
        }
        String frame = null;
        if (!isOp(")")) {
            int start = peek().start();
            int depth = 0;
            while (!(depth == 0 && isOp(")")) && peek().kind() != Token.Kind.EOF) {
                if (isOp("(")) {
                    depth++;
                } else if (isOp(")")) {
                    depth--;
                }
                next();
            }
            frame = sql.substring(start, peek().start()).trim();
        }
        expectOp(")");
        return new Expr.WindowSpec(ref, partition, order, frame, open.pos());
    }

    /** ORDER BY items. */
    public List<SortItem> sortList() {
        List<SortItem> out = new ArrayList<>();
        do {
            Token t = peek();
            Expr e = expr();
            SortItem.Direction dir = SortItem.Direction.DEFAULT;
            List<String> using = List.of();
            if (acceptKw("asc")) {
                dir = SortItem.Direction.ASC;
            } else if (acceptKw("desc")) {
                dir = SortItem.Direction.DESC;
            } else if (acceptKw("using")) {
                Token op = next();
                if (op.kind() != Token.Kind.OP) {
                    throw syntaxErrorAt(op);
                }
                using = List.of(op.value());
            }
            SortItem.NullsOrder nulls = SortItem.NullsOrder.DEFAULT;
            if (acceptKw("nulls", "first")) {
                nulls = SortItem.NullsOrder.FIRST;
            } else if (acceptKw("nulls", "last")) {
                nulls = SortItem.NullsOrder.LAST;
            }
            out.add(new SortItem(e, dir, nulls, using, t.pos()));
        } while (acceptOp(","));
        return List.copyOf(out);
    }

    // ---- queries --------------------------------------------------------------------------------------

    /** A full query (select_stmt): [WITH] body [ORDER BY] [LIMIT/OFFSET/FETCH] [FOR UPDATE ...]. */
    public Query query() {
        Token t = peek();
        Query.With with = isKw("with") ? with() : null;
        QueryExpr body = setExpr();
        return queryTail(with, body, t);
    }

    Query queryTail(Query.With with, QueryExpr body, Token t) {
        List<SortItem> orderBy = List.of();
        if (acceptKw("order", "by")) {
            orderBy = sortList();
        }
        Expr limit = null;
        Expr offset = null;
        boolean withTies = false;
        List<Query.LockingClause> locking = new ArrayList<>();
        boolean seenLimit = false;
        boolean seenOffset = false;
        while (true) {
            if (!seenLimit && isKw("limit")) {
                next();
                seenLimit = true;
                if (!acceptKw("all")) {
                    limit = expr();
                }
                if (isOp(",")) {
                    throw errorAt(peek(), SqlState.SYNTAX_ERROR, "LIMIT #,# syntax is not supported")
                            .withHint("Use separate LIMIT and OFFSET clauses.");
                }
            } else if (!seenOffset && isKw("offset")) {
                next();
                seenOffset = true;
                offset = expr();
                if (!acceptKw("row")) {
                    acceptKw("rows");
                }
            } else if (!seenLimit && isKw("fetch")) {
                next();
                seenLimit = true;
                if (!acceptKw("first")) {
                    expectKw("next");
                }
                if (isKw("row") || isKw("rows")) {
                    limit = new Expr.NumberLiteral("1", PgType.INT4, peek().pos());
                } else {
                    limit = expr(P_UMINUS);
                }
                if (!acceptKw("row")) {
                    expectKw("rows");
                }
                if (acceptKw("with", "ties")) {
                    withTies = true;
                } else {
                    expectKw("only");
                }
            } else if (isKw("for")) {
                Token f = next();
                if (acceptKw("read", "only")) {
                    continue;
                }
                Query.Strength strength;
                if (acceptKw("update")) {
                    strength = Query.Strength.UPDATE;
                } else if (acceptKw("no", "key", "update")) {
                    strength = Query.Strength.NO_KEY_UPDATE;
                } else if (acceptKw("share")) {
                    strength = Query.Strength.SHARE;
                } else if (acceptKw("key", "share")) {
                    strength = Query.Strength.KEY_SHARE;
                } else {
                    throw syntaxError();
                }
                List<QualifiedName> of = List.of();
                if (acceptKw("of")) {
                    of = qualifiedNameList();
                }
                Query.WaitPolicy wait = Query.WaitPolicy.BLOCK;
                if (acceptKw("nowait")) {
                    wait = Query.WaitPolicy.NOWAIT;
                } else if (acceptKw("skip", "locked")) {
                    wait = Query.WaitPolicy.SKIP_LOCKED;
                }
                locking.add(new Query.LockingClause(strength, of, wait, f.pos()));
            } else {
                break;
            }
        }
        if (with == null && orderBy.isEmpty() && limit == null && offset == null && locking.isEmpty()
                && body instanceof Query q) {
            return q;
        }
        return new Query(with, body, orderBy, limit, offset, withTies, List.copyOf(locking), t.pos());
    }

    /** {@code WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (statement), ...}. */
    public Query.With with() {
        Token t = expectKw("with");
        boolean recursive = acceptKw("recursive");
        List<Query.Cte> ctes = new ArrayList<>();
        do {
            Token n = peek();
            String name = colId();
            List<String> cols = List.of();
            if (isOp("(")) {
                cols = columnList().stream().map(Ident::name).toList();
            }
            expectKw("as");
            Boolean materialized = null;
            if (acceptKw("materialized")) {
                materialized = true;
            } else if (acceptKw("not", "materialized")) {
                materialized = false;
            }
            expectOp("(");
            Statement s = statement();
            expectOp(")");
            ctes.add(new Query.Cte(name, cols, materialized, s, n.pos()));
        } while (acceptOp(","));
        return new Query.With(recursive, List.copyOf(ctes), t.pos());
    }

    private QueryExpr setExpr() {
        QueryExpr left = setTerm();
        while (isKw("union") || isKw("except")) {
            Token t = next();
            boolean all = acceptKw("all");
            if (!all) {
                acceptKw("distinct");
            }
            QueryExpr right = setTerm();
            left = new QueryExpr.SetOperation(t.is("union") ? QueryExpr.SetOp.UNION : QueryExpr.SetOp.EXCEPT, all,
                    left, right, t.pos());
        }
        return left;
    }

    private QueryExpr setTerm() {
        QueryExpr left = simpleSelect();
        while (isKw("intersect")) {
            Token t = next();
            boolean all = acceptKw("all");
            if (!all) {
                acceptKw("distinct");
            }
            QueryExpr right = simpleSelect();
            left = new QueryExpr.SetOperation(QueryExpr.SetOp.INTERSECT, all, left, right, t.pos());
        }
        return left;
    }

    private QueryExpr simpleSelect() {
        Token t = peek();
        if (t.isOp("(")) {
            next();
            Query q = query();
            expectOp(")");
            return q;
        }
        if (t.is("values")) {
            return values();
        }
        if (t.is("table")) {
            next();
            QualifiedName name = qualifiedName();
            return new QueryExpr.SelectCore(false, List.of(), List.of(new SelectItem(new Expr.Star(List.of(),
                    t.pos()), null, t.pos())), List.of(new FromItem.Table(name, false, null, name.pos())), null,
                    List.of(), null, List.of(), t.pos());
        }
        if (!t.is("select")) {
            throw syntaxError();
        }
        next();
        boolean distinct = false;
        List<Expr> distinctOn = List.of();
        if (acceptKw("distinct")) {
            distinct = true;
            if (acceptKw("on")) {
                expectOp("(");
                distinctOn = exprList();
                expectOp(")");
            }
        } else {
            acceptKw("all");
        }
        List<SelectItem> targets = targetListOrEmpty();
        if (isKw("into")) {
            throw errorAt(peek(), SqlState.FEATURE_NOT_SUPPORTED, "SELECT ... INTO is not supported");
        }
        List<FromItem> from = List.of();
        if (acceptKw("from")) {
            from = fromList();
        }
        Expr where = acceptKw("where") ? expr() : null;
        List<Expr> groupBy = List.of();
        if (acceptKw("group", "by")) {
            if (!acceptKw("all")) {
                acceptKw("distinct");
            }
            groupBy = exprList();
        }
        Expr having = acceptKw("having") ? expr() : null;
        List<Expr.WindowSpec> windows = new ArrayList<>();
        if (acceptKw("window")) {
            do {
                String name = colId();
                expectKw("as");
                windows.add(windowSpec(name));
            } while (acceptOp(","));
        }
        return new QueryExpr.SelectCore(distinct, distinctOn, targets, from, where, groupBy, having,
                List.copyOf(windows), t.pos());
    }

    private QueryExpr.Values values() {
        Token t = expectKw("values");
        List<List<Expr>> rows = new ArrayList<>();
        do {
            expectOp("(");
            List<Expr> row = new ArrayList<>();
            do {
                row.add(exprOrDefault());
            } while (acceptOp(","));
            expectOp(")");
            rows.add(List.copyOf(row));
        } while (acceptOp(","));
        return new QueryExpr.Values(List.copyOf(rows), t.pos());
    }

    private List<SelectItem> targetListOrEmpty() {
        Token t = peek();
        if (t.kind() == Token.Kind.EOF || t.isOp(";") || t.isOp(")")
                || (t.keyword() != null && TARGET_END.contains(t.keyword()))) {
            return List.of();
        }
        return targetList();
    }

    /** A select or RETURNING list. */
    public List<SelectItem> targetList() {
        List<SelectItem> out = new ArrayList<>();
        do {
            Token t = peek();
            if (t.isOp("*")) {
                next();
                out.add(new SelectItem(new Expr.Star(List.of(), t.pos()), null, t.pos()));
                continue;
            }
            Expr e = expr();
            String alias = null;
            if (acceptKw("as")) {
                alias = colLabel();
            } else if (peek().kind() == Token.Kind.IDENT
                    && (peek().keyword() == null || Keywords.isBareLabel(peek().keyword()))) {
                alias = next().value();
            }
            out.add(new SelectItem(e, alias, t.pos()));
        } while (acceptOp(","));
        return List.copyOf(out);
    }

    /** A FROM list. */
    public List<FromItem> fromList() {
        List<FromItem> out = new ArrayList<>();
        do {
            out.add(fromItem());
        } while (acceptOp(","));
        return List.copyOf(out);
    }

    private FromItem fromItem() {
        FromItem left = tableRef();
        while (true) {
            Token t = peek();
            if (acceptKw("cross", "join")) {
                FromItem right = tableRef();
                left = new FromItem.Join(FromItem.JoinKind.CROSS, left, right, null, List.of(), false, null, t.pos());
                continue;
            }
            boolean natural = acceptKw("natural");
            FromItem.JoinKind kind = null;
            if (acceptKw("join")) {
                kind = FromItem.JoinKind.INNER;
            } else if (acceptKw("inner", "join")) {
                kind = FromItem.JoinKind.INNER;
            } else if (isKw("left") || isKw("right") || isKw("full")) {
                Token k = next();
                acceptKw("outer");
                expectKw("join");
                kind = k.is("left") ? FromItem.JoinKind.LEFT : k.is("right") ? FromItem.JoinKind.RIGHT
                        : FromItem.JoinKind.FULL;
            } else if (natural) {
                throw syntaxError();
            }
            if (kind == null) {
                return left;
            }
            FromItem right = tableRef();
            Expr on = null;
            List<Ident> using = List.of();
            if (!natural) {
                if (acceptKw("on")) {
                    on = expr();
                } else if (acceptKw("using")) {
                    using = columnList();
                } else {
                    throw syntaxError();
                }
            }
            left = new FromItem.Join(kind, left, right, on, using, natural, null, t.pos());
        }
    }

    private FromItem tableRef() {
        Token t = peek();
        boolean lateral = acceptKw("lateral");
        if (isOp("(")) {
            if (isQueryStart(1)) {
                int m = mark();
                Query q = tryParenthesizedQuery();
                if (q != null) {
                    Alias alias = optAlias(false);
                    if (alias == null) {
                        reset(m);
                        throw errorAt(t, SqlState.SYNTAX_ERROR, "subquery in FROM must have an alias")
                                .withHint("For example, FROM (SELECT ...) [AS] foo.");
                    }
                    return new FromItem.Subquery(q, lateral, alias, t.pos());
                }
            }
            next();
            FromItem inner = fromItem();
            expectOp(")");
            Alias alias = optAlias(false);
            if (alias != null && inner instanceof FromItem.Join j) {
                return new FromItem.Join(j.kind(), j.left(), j.right(), j.on(), j.using(), j.natural(), alias, j.pos());
            }
            return inner;
        }
        boolean only = acceptKw("only");
        Token nameTok = peek();
        if (isTypeFuncName(nameTok) && peek(1).isOp("(") && !only) {
            Expr call = identifierExpr(nameTok);
            if (!(call instanceof Expr.FuncCall f)) {
                throw syntaxErrorAt(nameTok);
            }
            boolean ordinality = acceptKw("with", "ordinality");
            return new FromItem.Function(f, lateral, ordinality, optAlias(true), t.pos());
        }
        if (!isColId(nameTok)) {
            if (nameTok.keyword() != null) {
                Expr special = keywordExpr(nameTok, nameTok.keyword());
                if (special != null) {
                    Expr.FuncCall f = special instanceof Expr.FuncCall fc ? fc
                            : Expr.FuncCall.of(null, nameTok.keyword(), List.of(special), nameTok.pos());
                    return new FromItem.Function(f, lateral, acceptKw("with", "ordinality"), optAlias(true), t.pos());
                }
            }
            throw syntaxError();
        }
        List<String> parts = anyName();
        if (isOp("(")) {
            Expr.FuncCall f = (Expr.FuncCall) functionCall(parts, nameTok);
            boolean ordinality = acceptKw("with", "ordinality");
            return new FromItem.Function(f, lateral, ordinality, optAlias(true), t.pos());
        }
        QualifiedName name = toQualified(parts, nameTok);
        acceptOp("*");
        return new FromItem.Table(name, only, optAlias(false), t.pos());
    }

    /** {@code [AS] alias [(cols)]} after a FROM item, or null. */
    private Alias optAlias(boolean function) {
        Token t = peek();
        String name;
        if (acceptKw("as")) {
            name = colId();
        } else if (isColId(t) && !isKw("on") && !isKw("using")) {
            // keywords that continue the query are not aliases
            if (t.keyword() != null && Set.of("where", "group", "having", "window", "order", "limit", "offset",
                    "fetch", "for", "union", "intersect", "except", "returning", "set", "natural", "join", "cross",
                    "inner", "left", "right", "full", "on", "using", "tablesample", "with").contains(t.keyword())) {
                return null;
            }
            name = next().value();
        } else {
            return null;
        }
        List<String> cols = List.of();
        if (isOp("(")) {
            next();
            List<String> c = new ArrayList<>();
            do {
                c.add(colId());
                if (function && !isOp(",") && !isOp(")")) {
                    typeName();
                }
            } while (acceptOp(","));
            expectOp(")");
            cols = List.copyOf(c);
        }
        return new Alias(name, cols, t.pos());
    }
}
