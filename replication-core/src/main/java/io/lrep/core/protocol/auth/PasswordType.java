package io.lrep.core.protocol.auth;

/** How a role's stored password is kept, as PostgreSQL's get_password_type tells them apart. */
public enum PasswordType {
    PLAINTEXT, MD5, SCRAM_SHA_256;

    /** The type of a stored secret (never null for a non-null secret). */
    public static PasswordType of(String secret) {
        if (Md5Password.isMd5Secret(secret)) {
            return MD5;
        }
        if (ScramSha256.isVerifier(secret)) {
            return SCRAM_SHA_256;
        }
        return PLAINTEXT;
    }
}
