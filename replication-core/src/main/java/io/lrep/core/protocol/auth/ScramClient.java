package io.lrep.core.protocol.auth;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The client half of one SCRAM-SHA-256 exchange (no channel binding, gs2 header "n,,"):
 * {@link #clientFirstMessage()} for SASLInitialResponse, {@link #handleServerFirst} turns
 * AuthenticationSASLContinue into the SASLResponse, {@link #verifyServerFinal} checks
 * AuthenticationSASLFinal so that the server proves it knows the secret too.
 *
 * <p>Not thread-safe: one instance per connection attempt.
 */
public final class ScramClient {

    private static final String GS2_HEADER = "n,,";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String password;
    private final String clientFirstBare;
    private final String clientNonce;
    private byte[] expectedServerSignature;

    /** A client that sends an empty user name, as libpq does (the server uses the startup packet's). */
    public ScramClient(String password) {
        this("", password, ScramSha256.nonce(RANDOM));
    }

    ScramClient(String user, String password, String clientNonce) {
        this.password = password;
        this.clientNonce = clientNonce;
        this.clientFirstBare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
    }

    /** client-first-message: gs2 header, user and nonce. */
    public byte[] clientFirstMessage() {
        return (GS2_HEADER + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /** Reads server-first-message and returns client-final-message with the proof. */
    public byte[] handleServerFirst(byte[] serverFirstMessage) {
        String serverFirst = new String(serverFirstMessage, StandardCharsets.UTF_8);
        ScramAttributes attrs = new ScramAttributes(serverFirst, 0);
        if (attrs.peek() == 'm') {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "server requires an unsupported SCRAM extension");
        }
        String nonce = attrs.read('r');
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()
                || !ScramAttributes.isPrintable(nonce)) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "invalid SCRAM response (nonce mismatch)");
        }
        byte[] salt;
        int iterations;
        try {
            salt = Base64.getDecoder().decode(attrs.read('s'));
            iterations = Integer.parseInt(attrs.read('i'));
        } catch (IllegalArgumentException e) {
            throw ScramAttributes.malformed("Invalid salt or iteration count in server-first-message.");
        }
        if (iterations <= 0 || salt.length == 0) {
            throw ScramAttributes.malformed("Invalid salt or iteration count in server-first-message.");
        }
        byte[] salted = ScramSha256.saltedPassword(password, salt, iterations);
        byte[] clientKey = ScramSha256.clientKey(salted);
        byte[] storedKey = ScramSha256.sha256(clientKey);
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(GS2_HEADER.getBytes(StandardCharsets.UTF_8))
                + ",r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] proof = ScramSha256.xor(clientKey, ScramSha256.hmac(storedKey, authMessage));
        expectedServerSignature = ScramSha256.hmac(ScramSha256.serverKey(salted), authMessage);
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /** Checks server-final-message; throws when the server reports an error or cannot prove itself. */
    public void verifyServerFinal(byte[] serverFinalMessage) {
        if (expectedServerSignature == null) {
            throw new IllegalStateException("server-first-message not handled yet");
        }
        String serverFinal = new String(serverFinalMessage, StandardCharsets.UTF_8);
        ScramAttributes attrs = new ScramAttributes(serverFinal, 0);
        if (attrs.peek() == 'e') {
            throw new LrepException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                    "error received from server in SCRAM exchange: " + attrs.read('e'));
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(attrs.read('v'));
        } catch (IllegalArgumentException e) {
            throw ScramAttributes.malformed("Malformed server signature in server-final-message.");
        }
        if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw new LrepException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "incorrect server signature");
        }
    }
}
