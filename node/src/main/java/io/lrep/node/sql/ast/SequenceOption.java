package io.lrep.node.sql.ast;

import java.util.List;

/**
 * One option of CREATE/ALTER SEQUENCE or an identity column.
 *
 * @param kind which option
 * @param value the number for INCREMENT, MINVALUE, MAXVALUE, START, RESTART, CACHE; null for
 *     NO MINVALUE/NO MAXVALUE, CYCLE/NO CYCLE, a bare RESTART, OWNED BY, AS
 * @param type the type for AS
 * @param ownedBy OWNED BY name parts ({@code t.c} or {@code s.t.c}); empty for OWNED BY NONE
 */
public record SequenceOption(Kind kind, Long value, TypeName type, List<String> ownedBy, int pos) {

    public enum Kind {
        AS, INCREMENT, MINVALUE, NO_MINVALUE, MAXVALUE, NO_MAXVALUE, START, RESTART, CACHE, CYCLE, NO_CYCLE,
        OWNED_BY, SEQUENCE_NAME
    }
}
