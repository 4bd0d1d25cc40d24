package io.lrep.core.protocol.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SCRAM-SHA-256 primitives (RFC 5802, RFC 7677) and PostgreSQL's stored secret form
 * <pre>
 *   SCRAM-SHA-256$&lt;iterations&gt;:&lt;salt base64&gt;$&lt;StoredKey base64&gt;:&lt;ServerKey base64&gt;
 * </pre>
 * SaltedPassword = Hi(SASLprep(password), salt, iterations) (PBKDF2 with HMAC-SHA-256),
 * ClientKey = HMAC(SaltedPassword, "Client Key"), StoredKey = H(ClientKey),
 * ServerKey = HMAC(SaltedPassword, "Server Key").
 */
public final class ScramSha256 {

    /** The SASL mechanism name. */
    public static final String MECHANISM = "SCRAM-SHA-256";
    /** PostgreSQL's default iteration count (scram_iterations). */
    public static final int DEFAULT_ITERATIONS = 4096;
    /** PostgreSQL's salt length in bytes. */
    public static final int SALT_LENGTH = 16;
    /** Key length: the SHA-256 digest size. */
    public static final int KEY_LENGTH = 32;

    private static final String PREFIX = "SCRAM-SHA-256$";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ScramSha256() {
    }

    /** A parsed stored secret. */
    public record Verifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
        public Verifier {
            salt = salt.clone();
            storedKey = storedKey.clone();
            serverKey = serverKey.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] storedKey() {
            return storedKey.clone();
        }

        @Override
        public byte[] serverKey() {
            return serverKey.clone();
        }

        /** The salt as sent in server-first-message. */
        public String saltBase64() {
            return Base64.getEncoder().encodeToString(salt);
        }

        /** PostgreSQL's stored form. */
        public String encode() {
            Base64.Encoder b64 = Base64.getEncoder();
            return PREFIX + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                    + b64.encodeToString(serverKey);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Verifier v && v.iterations == iterations && Arrays.equals(v.salt, salt)
                    && Arrays.equals(v.storedKey, storedKey) && Arrays.equals(v.serverKey, serverKey);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(salt) + Arrays.hashCode(storedKey)) + iterations;
        }

        @Override
        public String toString() {
            return encode();
        }
    }

    /** The stored secret for a password: 4096 iterations and a fresh 16-byte random salt. */
    public static String createVerifier(String password) {
        byte[] salt = new byte[SALT_LENGTH];
        RANDOM.nextBytes(salt);
        return createVerifier(password, salt, DEFAULT_ITERATIONS).encode();
    }

    /** The stored secret for a password with a given salt and iteration count. */
    public static Verifier createVerifier(String password, byte[] salt, int iterations) {
        byte[] salted = saltedPassword(password, salt, iterations);
        return new Verifier(iterations, salt, sha256(clientKey(salted)), serverKey(salted));
    }

    /** Parses PostgreSQL's stored form; empty when the string is not a valid SCRAM secret. */
    public static Optional<Verifier> parse(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = secret.substring(PREFIX.length());
        int dollar = rest.indexOf('$');
        if (dollar < 0) {
            return Optional.empty();
        }
        String[] iterSalt = rest.substring(0, dollar).split(":", -1);
        String[] keys = rest.substring(dollar + 1).split(":", -1);
        if (iterSalt.length != 2 || keys.length != 2) {
            return Optional.empty();
        }
        try {
            int iterations = Integer.parseInt(iterSalt[0]);
            Base64.Decoder b64 = Base64.getDecoder();
            byte[] salt = b64.decode(iterSalt[1]);
            byte[] storedKey = b64.decode(keys[0]);
            byte[] serverKey = b64.decode(keys[1]);
            if (iterations <= 0 || salt.length == 0 || storedKey.length != KEY_LENGTH || serverKey.length != KEY_LENGTH) {
                return Optional.empty();
            }
            return Optional.of(new Verifier(iterations, salt, storedKey, serverKey));
        } catch (IllegalArgumentException e) {
            // not a number or not base64: not a SCRAM secret, which the caller treats as such
            return Optional.empty();
        }
    }

    /** True when the string is a valid SCRAM-SHA-256 stored secret. */
    public static boolean isVerifier(String secret) {
        return parse(secret).isPresent();
    }

    /** Hi(SASLprep(password), salt, iterations). */
    public static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        byte[] pw = SaslPrep.prepareOrKeep(password).getBytes(StandardCharsets.UTF_8);
        Mac mac = hmac(pw);
        mac.update(salt);
        mac.update(new byte[] {0, 0, 0, 1});
        byte[] u = mac.doFinal();
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }

    static byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] hmac(byte[] key, byte[] data) {
        return hmac(key).doFinal(data);
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // An empty key is valid HMAC input but SecretKeySpec refuses it; HMAC pads keys with zeros.
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    /** A printable nonce from 18 random bytes, base64 (as PostgreSQL makes them). */
    static String nonce(SecureRandom random) {
        byte[] raw = new byte[18];
        random.nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }
}
