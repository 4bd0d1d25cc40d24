package io.lrep.node.sql.parser;

import io.lrep.node.sql.ast.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which parser handles a statement, chosen by its first keyword, and for CREATE / ALTER / DROP
 * by the kind of object (the first word after the verb that is not a modifier such as
 * {@code OR REPLACE}, {@code UNIQUE}, {@code TEMP}, {@code UNLOGGED}). Later features add their
 * statements here without touching the others:
 * <pre>{@code
 * StatementRegistry.standard()
 *     .registerObject("create", "publication", PublicationStatements::create)
 * }</pre>
 */
public final class StatementRegistry {

    /** Parses one statement; called with the cursor on its first token, returns its record (span from {@link Parser#span()}). */
    @FunctionalInterface
    public interface StatementParser {
        Statement parse(Parser p);
    }

    private static final Set<String> VERBS = Set.of("create", "alter", "drop");
    private static final Set<String> CREATE_MODIFIERS = Set.of("or", "replace", "unique", "temp", "temporary",
            "unlogged", "global", "local", "trusted", "procedural", "default", "recursive");

    private final Map<String, StatementParser> byKeyword = new HashMap<>();
    private final Map<String, Map<String, StatementParser>> byObject = new HashMap<>();

    /** The statements lrep understands today. */
    public static StatementRegistry standard() {
        StatementRegistry r = new StatementRegistry();
        QueryStatements.register(r);
        DdlStatements.register(r);
        RoleStatements.register(r);
        UtilityStatements.register(r);
        PublicationStatements.register(r);
        SubscriptionStatements.register(r);
        return r;
    }

    /** Registers the parser for statements starting with {@code keyword} (lower case; "(" for a parenthesized query). */
    public StatementRegistry register(String keyword, StatementParser parser) {
        byKeyword.put(keyword, parser);
        return this;
    }

    /** Registers the parser for {@code verb object} (verb: create, alter or drop). */
    public StatementRegistry registerObject(String verb, String object, StatementParser parser) {
        byObject.computeIfAbsent(verb, v -> new HashMap<>()).put(object, parser);
        return this;
    }

    Statement parse(Parser p) {
        Token first = p.peek();
        String key = first.isOp("(") ? "(" : first.keyword() != null ? first.keyword() : p.unquotedWord(first);
        if (key == null) {
            throw p.syntaxError();
        }
        if (VERBS.contains(key)) {
            int k = 1;
            if (key.equals("create")) {
                while (p.peek(k).keyword() != null && CREATE_MODIFIERS.contains(p.peek(k).keyword())) {
                    k++;
                }
            }
            Token object = p.peek(k);
            StatementParser parser = object.keyword() == null ? null
                    : byObject.getOrDefault(key, Map.of()).get(object.keyword());
            if (parser == null) {
                throw p.syntaxErrorAt(object);
            }
            return parser.parse(p);
        }
        StatementParser parser = byKeyword.get(key);
        if (parser == null) {
            throw p.syntaxError();
        }
        return parser.parse(p);
    }
}
