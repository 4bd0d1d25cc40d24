package io.lrep.node.server;

import java.util.Optional;

/**
 * Finds roles for authentication. The node wires one over its catalog
 * ({@link StorageRoleLookup}); tests use a map.
 */
public interface RoleLookup {

    /** The role named {@code name} as of now, or empty. */
    Optional<Role> find(String name);

    /**
     * Whether {@code user} is a member of {@code role}, for hba.conf's {@code +role} and
     * {@code samerole}. Without role memberships a role is a member of itself only (as in
     * PostgreSQL, superusers are not implicitly members).
     */
    default boolean isMember(String user, String role) {
        return user.equals(role);
    }
}
