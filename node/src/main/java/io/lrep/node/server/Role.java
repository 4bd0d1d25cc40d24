package io.lrep.node.server;

import java.time.Instant;

/**
 * What authentication needs to know about a role: a row of {@code pg_authid}.
 *
 * @param password the rolpassword verifier ({@code SCRAM-SHA-256$...} or {@code md5...}), or null
 * @param connectionLimit rolconnlimit; -1 for no limit
 * @param validUntil rolvaliduntil, or null for no expiry
 */
public record Role(long oid, String name, boolean superuser, boolean canLogin, boolean replication, int connectionLimit,
        String password, Instant validUntil) {}
