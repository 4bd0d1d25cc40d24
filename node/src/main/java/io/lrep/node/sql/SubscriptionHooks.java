package io.lrep.node.sql;

import io.lrep.subscriber.subscription.PublisherConnector;
import io.lrep.subscriber.subscription.SubscriptionListener;

/**
 * What subscription DDL needs from the rest of the node: the way to the publisher, the
 * launcher's listener, and the node's system identifier (for table-sync slot names).
 */
public record SubscriptionHooks(PublisherConnector connector, SubscriptionListener listener, long systemIdentifier) {

    /** No replication client and no launcher: connect = false subscriptions only. */
    public static final SubscriptionHooks NONE = new SubscriptionHooks(PublisherConnector.NONE, SubscriptionListener.NONE, 0);
}
