/**
 * Subscriptions: the pg_subscription and pg_subscription_rel catalogs ({@link io.lrep.subscriber.subscription.SubscriptionCatalog}),
 * the model ({@link io.lrep.subscriber.subscription.Subscription}), PostgreSQL 15's option rules
 * ({@link io.lrep.subscriber.subscription.SubscriptionOptions}), what CREATE / ALTER / DROP
 * SUBSCRIPTION ask of the publisher ({@link io.lrep.subscriber.subscription.PublisherConnection})
 * and the hook the launcher listens on ({@link io.lrep.subscriber.subscription.SubscriptionListener}).
 */
package io.lrep.subscriber.subscription;
