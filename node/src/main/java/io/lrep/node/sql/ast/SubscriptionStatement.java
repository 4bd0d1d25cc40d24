package io.lrep.node.sql.ast;

import io.lrep.subscriber.subscription.SubscriptionOptions.Option;
import java.util.List;

/** CREATE SUBSCRIPTION and the forms of ALTER SUBSCRIPTION (DROP SUBSCRIPTION is a {@link Statement.Drop}). */
public sealed interface SubscriptionStatement extends Statement {

    /** The subscription the statement names. */
    String name();

    /** {@code CREATE SUBSCRIPTION name CONNECTION 'conninfo' PUBLICATION p, ... [WITH (option, ...)]}. */
    record Create(String name, String conninfo, List<String> publications, List<Option> options, SourceSpan span)
            implements SubscriptionStatement {
    }

    /** {@code ALTER SUBSCRIPTION name CONNECTION 'conninfo'}. */
    record Connection(String name, String conninfo, SourceSpan span) implements SubscriptionStatement {
    }

    /** SET, ADD or DROP of ALTER SUBSCRIPTION ... PUBLICATION. */
    enum PublicationKind { SET, ADD, DROP }

    /** {@code ALTER SUBSCRIPTION name SET|ADD|DROP PUBLICATION p, ... [WITH (option, ...)]}. */
    record Publications(String name, PublicationKind kind, List<String> publications, List<Option> options, SourceSpan span)
            implements SubscriptionStatement {
    }

    /** {@code ALTER SUBSCRIPTION name REFRESH PUBLICATION [WITH (option, ...)]}. */
    record Refresh(String name, List<Option> options, SourceSpan span) implements SubscriptionStatement {
    }

    /** {@code ALTER SUBSCRIPTION name ENABLE | DISABLE}. */
    record Enable(String name, boolean enable, SourceSpan span) implements SubscriptionStatement {
    }

    /** {@code ALTER SUBSCRIPTION name SET (option, ...)}. */
    record SetOptions(String name, List<Option> options, SourceSpan span) implements SubscriptionStatement {
    }

    /** {@code ALTER SUBSCRIPTION name SKIP (lsn = ...)}. */
    record Skip(String name, List<Option> options, SourceSpan span) implements SubscriptionStatement {
    }

    /** {@code ALTER SUBSCRIPTION name RENAME TO newName}. */
    record Rename(String name, String newName, SourceSpan span) implements SubscriptionStatement {
    }

    /** {@code ALTER SUBSCRIPTION name OWNER TO role}. */
    record Owner(String name, RoleSpec owner, SourceSpan span) implements SubscriptionStatement {
    }
}
