package io.lrep.node.sql.parser;

import io.lrep.node.sql.ast.GenericOption;
import io.lrep.node.sql.ast.SubscriptionStatement;
import io.lrep.node.sql.ast.SubscriptionStatement.PublicationKind;
import io.lrep.subscriber.subscription.SubscriptionOptions.Option;
import java.util.ArrayList;
import java.util.List;

/**
 * CREATE SUBSCRIPTION and ALTER SUBSCRIPTION with PostgreSQL 15's grammar; option values are
 * kept as written (identifiers and keywords case-folded, strings as they are), checked later by
 * {@link io.lrep.subscriber.subscription.SubscriptionOptions}.
 */
final class SubscriptionStatements {

    private SubscriptionStatements() {
    }

    static void register(StatementRegistry r) {
        r.registerObject("create", "subscription", SubscriptionStatements::create);
        r.registerObject("alter", "subscription", SubscriptionStatements::alter);
    }

    private static SubscriptionStatement create(Parser p) {
        p.expectKw("create");
        p.expectKw("subscription");
        String name = p.colId();
        p.expectKw("connection");
        String conninfo = p.stringConstant();
        p.expectKw("publication");
        List<String> pubs = names(p);
        List<Option> options = p.acceptKw("with") ? options(p) : List.of();
        return new SubscriptionStatement.Create(name, conninfo, pubs, options, p.span());
    }

    private static SubscriptionStatement alter(Parser p) {
        p.expectKw("alter");
        p.expectKw("subscription");
        String name = p.colId();
        if (p.acceptKw("connection")) {
            return new SubscriptionStatement.Connection(name, p.stringConstant(), p.span());
        }
        if (p.acceptKw("rename", "to")) {
            return new SubscriptionStatement.Rename(name, p.colId(), p.span());
        }
        if (p.acceptKw("owner", "to")) {
            return new SubscriptionStatement.Owner(name, DdlStatements.roleSpec(p), p.span());
        }
        if (p.acceptKw("refresh", "publication")) {
            return new SubscriptionStatement.Refresh(name, p.acceptKw("with") ? options(p) : List.of(), p.span());
        }
        if (p.acceptKw("enable")) {
            return new SubscriptionStatement.Enable(name, true, p.span());
        }
        if (p.acceptKw("disable")) {
            return new SubscriptionStatement.Enable(name, false, p.span());
        }
        if (p.acceptKw("skip")) {
            return new SubscriptionStatement.Skip(name, options(p), p.span());
        }
        PublicationKind kind;
        if (p.acceptKw("add")) {
            kind = PublicationKind.ADD;
        } else if (p.acceptKw("drop")) {
            kind = PublicationKind.DROP;
        } else {
            p.expectKw("set");
            if (p.isOp("(")) {
                return new SubscriptionStatement.SetOptions(name, options(p), p.span());
            }
            kind = PublicationKind.SET;
        }
        p.expectKw("publication");
        List<String> pubs = names(p);
        List<Option> options = p.acceptKw("with") ? options(p) : List.of();
        return new SubscriptionStatement.Publications(name, kind, pubs, options, p.span());
    }

    private static List<String> names(Parser p) {
        List<String> out = new ArrayList<>();
        do {
            out.add(p.colId());
        } while (p.acceptOp(","));
        return List.copyOf(out);
    }

    private static List<Option> options(Parser p) {
        List<Option> out = new ArrayList<>();
        for (GenericOption o : UtilityStatements.definition(p)) {
            out.add(new Option(o.name(), o.value(), o.pos()));
        }
        return List.copyOf(out);
    }
}
