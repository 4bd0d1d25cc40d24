package io.lrep.core.protocol.auth;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * The server half of one SCRAM-SHA-256 exchange, as PostgreSQL runs it:
 * <ol>
 *   <li>{@link #handleClientFirst}: client-first-message (from SASLInitialResponse) in,
 *       server-first-message (for AuthenticationSASLContinue) out;</li>
 *   <li>{@link #handleClientFinal}: client-final-message (from SASLResponse) in; on success the
 *       outcome carries server-final-message (for AuthenticationSASLFinal).</li>
 * </ol>
 * The user name in the exchange is ignored (the startup packet's counts). Channel binding is not
 * offered: gs2 flags "n" and "y" are accepted, "p" is refused. When the role has no usable SCRAM
 * secret (none, or an md5 one) the exchange still runs with a mock salt, so that the client
 * cannot tell, and then fails. Malformed messages raise {@link LrepException} (08P01, or 0A000
 * for unsupported features); a wrong password is an unauthenticated {@link Outcome}, which the
 * caller reports as 28P01 "password authentication failed for user ...".
 *
 * <p>Not thread-safe: one instance per connection attempt.
 */
public final class ScramServer {

    /** The result of the final step: success with the server's last message, or failure. */
    public record Outcome(boolean authenticated, byte[] serverFinalMessage, String logDetail) {
        public Outcome {
            serverFinalMessage = serverFinalMessage == null ? null : serverFinalMessage.clone();
        }

        @Override
        public byte[] serverFinalMessage() {
            return serverFinalMessage == null ? null : serverFinalMessage.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome x && x.authenticated == authenticated
                    && Arrays.equals(x.serverFinalMessage, serverFinalMessage)
                    && java.util.Objects.equals(x.logDetail, logDetail);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(serverFinalMessage) + (authenticated ? 1 : 0);
        }

        @Override
        public String toString() {
            return "Outcome[authenticated=" + authenticated + ", logDetail=" + logDetail + "]";
        }
    }

    private enum Step { FIRST, FINAL, DONE }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] MOCK_KEY = randomBytes(32);

    private final ScramSha256.Verifier verifier;
    private final String doomedDetail;
    private final Supplier<String> nonces;
    private Step step = Step.FIRST;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String combinedNonce;

    /**
     * @param user         the role from the startup packet (only for the mock salt and details)
     * @param storedSecret the role's stored password: a SCRAM secret, a plain password, an md5
     *                     secret (cannot do SCRAM) or null (no password or no such role)
     */
    public ScramServer(String user, String storedSecret) {
        this(user, storedSecret, () -> ScramSha256.nonce(RANDOM));
    }

    ScramServer(String user, String storedSecret, Supplier<String> nonces) {
        this.nonces = nonces;
        PasswordType type = storedSecret == null ? null : PasswordType.of(storedSecret);
        if (type == PasswordType.SCRAM_SHA_256) {
            verifier = ScramSha256.parse(storedSecret).orElseThrow();
            doomedDetail = null;
        } else if (type == PasswordType.PLAINTEXT) {
            verifier = ScramSha256.createVerifier(storedSecret, randomBytes(ScramSha256.SALT_LENGTH),
                    ScramSha256.DEFAULT_ITERATIONS);
            doomedDetail = null;
        } else {
            byte[] mockSalt = Arrays.copyOf(ScramSha256.hmac(MOCK_KEY, user.getBytes(StandardCharsets.UTF_8)),
                    ScramSha256.SALT_LENGTH);
            verifier = new ScramSha256.Verifier(ScramSha256.DEFAULT_ITERATIONS, mockSalt, new byte[32], new byte[32]);
            doomedDetail = type == PasswordType.MD5
                    ? "User \"" + user + "\" does not have a valid SCRAM secret."
                    : "User \"" + user + "\" has no password assigned.";
        }
    }

    /** Reads client-first-message and returns server-first-message. */
    public byte[] handleClientFirst(byte[] clientFirstMessage) {
        if (step != Step.FIRST) {
            throw new IllegalStateException("client-first-message already handled");
        }
        step = Step.FINAL;
        String msg = new String(clientFirstMessage, StandardCharsets.UTF_8);
        char flag = msg.isEmpty() ? '\0' : msg.charAt(0);
        switch (flag) {
            case 'n', 'y' -> {
                // no channel binding, or the client could bind but thinks we cannot: both fine without TLS
            }
            case 'p' -> throw ScramAttributes.malformed("The client selected SCRAM-SHA-256 without channel binding,"
                    + " but the SCRAM message includes channel binding data.");
            default -> throw ScramAttributes.malformed("Unexpected channel-binding flag \""
                    + ScramAttributes.sanitize(flag) + "\".");
        }
        if (msg.length() < 2 || msg.charAt(1) != ',') {
            throw ScramAttributes.malformed("Comma expected, but found character \""
                    + ScramAttributes.sanitize(msg.length() < 2 ? '\0' : msg.charAt(1)) + "\".");
        }
        if (msg.length() > 2 && msg.charAt(2) == 'a') {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                    "client uses authorization identity, but it is not supported");
        }
        if (msg.length() < 3 || msg.charAt(2) != ',') {
            throw ScramAttributes.malformed("Unexpected attribute \""
                    + ScramAttributes.sanitize(msg.length() < 3 ? '\0' : msg.charAt(2)) + "\" in client-first-message.");
        }
        gs2Header = msg.substring(0, 3);
        clientFirstBare = msg.substring(3);
        ScramAttributes attrs = new ScramAttributes(msg, 3);
        if (attrs.peek() == 'm') {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "client requires an unsupported SCRAM extension");
        }
        attrs.read('n'); // ignored: the startup packet names the role
        String clientNonce = attrs.read('r');
        if (!ScramAttributes.isPrintable(clientNonce)) {
            throw ScramAttributes.malformed("Non-printable characters in SCRAM nonce.");
        }
        while (!attrs.atEnd()) {
            attrs.readAny(); // optional extensions, none of which we support or need
        }
        combinedNonce = clientNonce + nonces.get();
        serverFirst = "r=" + combinedNonce + ",s=" + verifier.saltBase64() + ",i=" + verifier.iterations();
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads client-final-message, checks the proof and returns the outcome. */
    public Outcome handleClientFinal(byte[] clientFinalMessage) {
        if (step != Step.FINAL) {
            throw new IllegalStateException(step == Step.FIRST ? "client-first-message not handled yet"
                    : "exchange already finished");
        }
        step = Step.DONE;
        String msg = new String(clientFinalMessage, StandardCharsets.UTF_8);
        ScramAttributes attrs = new ScramAttributes(msg, 0);
        String binding = attrs.read('c');
        String expectedBinding = Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
        if (!binding.equals(expectedBinding)) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION,
                    "unexpected SCRAM channel-binding attribute in client-final-message");
        }
        String nonce = attrs.read('r');
        if (!nonce.equals(combinedNonce)) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "invalid SCRAM response")
                    .withDetail("Nonce does not match.");
        }
        int proofAt;
        String proofText;
        while (true) {
            proofAt = attrs.position();
            if (attrs.atEnd()) {
                throw ScramAttributes.malformed("Could not find proof in client-final-message.");
            }
            char name = attrs.peek();
            String value = attrs.readAny();
            if (name == 'p') {
                proofText = value;
                break;
            }
        }
        if (!attrs.atEnd()) {
            throw ScramAttributes.malformed("Garbage found at the end of client-final-message.");
        }
        byte[] proof;
        try {
            proof = Base64.getDecoder().decode(proofText);
        } catch (IllegalArgumentException e) {
            proof = new byte[0]; // not base64: reported just below as a malformed proof
        }
        if (proof.length != ScramSha256.KEY_LENGTH) {
            throw ScramAttributes.malformed("Malformed proof in client-final-message.");
        }
        String withoutProof = msg.substring(0, proofAt - 1);
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        if (doomedDetail != null) {
            return new Outcome(false, null, doomedDetail);
        }
        byte[] clientSignature = ScramSha256.hmac(verifier.storedKey(), authMessage);
        byte[] clientKey = ScramSha256.xor(proof, clientSignature);
        if (!MessageDigest.isEqual(ScramSha256.sha256(clientKey), verifier.storedKey())) {
            return new Outcome(false, null, "Password does not match for user.");
        }
        byte[] serverSignature = ScramSha256.hmac(verifier.serverKey(), authMessage);
        String serverFinal = "v=" + Base64.getEncoder().encodeToString(serverSignature);
        return new Outcome(true, serverFinal.getBytes(StandardCharsets.UTF_8), null);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
