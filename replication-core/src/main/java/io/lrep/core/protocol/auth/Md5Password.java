package io.lrep.core.protocol.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * PostgreSQL's md5 password scheme. Stored form: {@code "md5" + md5hex(password + user)}. The
 * challenge response to AuthenticationMD5Password(salt) is
 * {@code "md5" + md5hex(md5hex(password + user) + salt)}.
 */
public final class Md5Password {

    private static final String PREFIX = "md5";

    private Md5Password() {
    }

    /** The stored secret: "md5" followed by 32 hex digits. */
    public static String encrypt(String password, String user) {
        return PREFIX + md5Hex(concat(password.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8)));
    }

    /** True when the string has the stored md5 form ("md5" and 32 lowercase-or-uppercase hex digits). */
    public static boolean isMd5Secret(String secret) {
        if (secret == null || secret.length() != 35 || !secret.startsWith(PREFIX)) {
            return false;
        }
        for (int i = 3; i < 35; i++) {
            if (Character.digit(secret.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** What a client sends in PasswordMessage for an MD5 challenge. */
    public static String clientResponse(String password, String user, byte[] salt) {
        return saltedResponse(encrypt(password, user), salt);
    }

    /** The expected challenge response for a stored md5 secret and the 4-byte salt. */
    public static String saltedResponse(String md5Secret, byte[] salt) {
        byte[] hex = md5Secret.substring(PREFIX.length()).getBytes(StandardCharsets.US_ASCII);
        return PREFIX + md5Hex(concat(hex, salt));
    }

    /**
     * Checks a client's response to an MD5 challenge against a stored secret, which may be an md5
     * secret or a plain password; a SCRAM secret cannot answer an MD5 challenge and fails.
     */
    public static boolean verify(String storedSecret, String user, byte[] salt, String clientResponse) {
        if (storedSecret == null || clientResponse == null) {
            return false;
        }
        String expected;
        if (isMd5Secret(storedSecret)) {
            expected = saltedResponse(storedSecret, salt);
        } else if (ScramSha256.isVerifier(storedSecret)) {
            return false;
        } else {
            expected = clientResponse(storedSecret, user, salt);
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                clientResponse.getBytes(StandardCharsets.UTF_8));
    }

    static String md5Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
