package io.lrep.publisher.publication;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Which kinds of change a publication publishes: PostgreSQL's pubinsert, pubupdate, pubdelete, pubtruncate. */
public record PublishActions(boolean insert, boolean update, boolean delete, boolean truncate) {

    /** The default of CREATE PUBLICATION: everything. */
    public static final PublishActions ALL = new PublishActions(true, true, true, true);

    /** Nothing (an empty {@code publish} list). */
    public static final PublishActions NONE = new PublishActions(false, false, false, false);

    /**
     * The value of the {@code publish} option: a comma-separated list of insert, update, delete
     * and truncate (case-insensitive, blanks around items ignored; an empty string publishes
     * nothing). Anything else is PostgreSQL 15's 42601 {@code unrecognized value for publication
     * option "publish": "x"}.
     */
    public static PublishActions parse(String value) {
        boolean i = false;
        boolean u = false;
        boolean d = false;
        boolean t = false;
        if (!value.isBlank()) {
            for (String raw : value.split(",", -1)) {
                String item = raw.trim().toLowerCase(Locale.ROOT);
                switch (item) {
                    case "insert" -> i = true;
                    case "update" -> u = true;
                    case "delete" -> d = true;
                    case "truncate" -> t = true;
                    default -> throw new LrepException(SqlState.SYNTAX_ERROR,
                            "unrecognized value for publication option \"publish\": \"" + raw.trim() + "\"");
                }
            }
        }
        return new PublishActions(i, u, d, t);
    }

    /** The actions either publishes. */
    public PublishActions union(PublishActions o) {
        return new PublishActions(insert || o.insert, update || o.update, delete || o.delete, truncate || o.truncate);
    }

    /** Whether anything is published. */
    public boolean any() {
        return insert || update || delete || truncate;
    }

    /** Whether {@code action} is published. */
    public boolean publishes(Action action) {
        return switch (action) {
            case INSERT -> insert;
            case UPDATE -> update;
            case DELETE -> delete;
            case TRUNCATE -> truncate;
        };
    }

    /** As psql and the {@code publish} option spell it: {@code insert, update, delete, truncate}. */
    @Override
    public String toString() {
        List<String> out = new ArrayList<>();
        for (Action a : Action.values()) {
            if (publishes(a)) {
                out.add(a.name().toLowerCase(Locale.ROOT));
            }
        }
        return String.join(", ", out);
    }

    /** A kind of change. */
    public enum Action { INSERT, UPDATE, DELETE, TRUNCATE }
}
