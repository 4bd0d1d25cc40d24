package io.lrep.core.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ScramSha256Test {

    static final String RFC_SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    static final String RFC_AUTH_MESSAGE = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
            + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
            + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";

    @Test
    void shouldMatchRfc7677Keys() {
        byte[] salt = Base64.getDecoder().decode(RFC_SALT);
        byte[] salted = ScramSha256.saltedPassword("pencil", salt, 4096);
        byte[] authMessage = RFC_AUTH_MESSAGE.getBytes(StandardCharsets.US_ASCII);
        byte[] clientKey = ScramSha256.clientKey(salted);
        byte[] storedKey = ScramSha256.sha256(clientKey);
        byte[] proof = ScramSha256.xor(clientKey, ScramSha256.hmac(storedKey, authMessage));
        byte[] serverSignature = ScramSha256.hmac(ScramSha256.serverKey(salted), authMessage);

        assertThat(Base64.getEncoder().encodeToString(proof)).isEqualTo("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assertThat(Base64.getEncoder().encodeToString(serverSignature))
                .isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        ScramSha256.Verifier v = ScramSha256.createVerifier("pencil", salt, 4096);
        assertThat(v.storedKey()).isEqualTo(storedKey);
        assertThat(v.encode()).startsWith("SCRAM-SHA-256$4096:" + RFC_SALT + "$");
    }

    @Test
    void shouldCreateVerifierInPostgresForm() {
        String secret = ScramSha256.createVerifier("secret");
        assertThat(secret).matches("SCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}");
        ScramSha256.Verifier v = ScramSha256.parse(secret).orElseThrow();
        assertThat(v.iterations()).isEqualTo(4096);
        assertThat(v.salt()).hasSize(16);
        assertThat(v.encode()).isEqualTo(secret);
        assertThat(ScramSha256.createVerifier("secret", v.salt(), 4096)).isEqualTo(v);
        assertThat(ScramSha256.createVerifier("secret")).isNotEqualTo(secret);
    }

    @Test
    void shouldRejectMalformedVerifiers() {
        String good = ScramSha256.createVerifier("x");
        assertThat(ScramSha256.parse(null)).isEmpty();
        assertThat(ScramSha256.parse("secret")).isEmpty();
        assertThat(ScramSha256.parse(Md5Password.encrypt("a", "b"))).isEmpty();
        assertThat(ScramSha256.parse(good.replace("SCRAM-SHA-256$4096", "SCRAM-SHA-256$x"))).isEmpty();
        assertThat(ScramSha256.parse(good.substring(0, good.length() - 4))).isEmpty();
        assertThat(ScramSha256.parse(good.replace(':', ';'))).isEmpty();
        assertThat(ScramSha256.parse(good + ":extra")).isEmpty();
    }

    @Test
    void shouldTellStoredFormsApart() {
        assertThat(PasswordType.of(ScramSha256.createVerifier("p"))).isEqualTo(PasswordType.SCRAM_SHA_256);
        assertThat(PasswordType.of(Md5Password.encrypt("p", "u"))).isEqualTo(PasswordType.MD5);
        assertThat(PasswordType.of("md5notreallyhex")).isEqualTo(PasswordType.PLAINTEXT);
        assertThat(PasswordType.of("pencil")).isEqualTo(PasswordType.PLAINTEXT);
    }

    @Test
    void shouldSaslPrepNonAsciiPasswords() {
        // U+00A0 no-break space maps to a space; U+00AD soft hyphen maps to nothing; NFKC folds U+2168 to "IX".
        assertThat(SaslPrep.prepare("a\u00A0b\u00ADc\u2168")).contains("a bcIX");
        assertThat(SaslPrep.prepare("plain ascii\u0007")).contains("plain ascii\u0007");
        // prohibited (private use) or bidi-violating strings are used as they are
        assertThat(SaslPrep.prepare("\uE000\u00E9")).isEmpty();
        assertThat(SaslPrep.prepareOrKeep("\uE000\u00E9")).isEqualTo("\uE000\u00E9");
        assertThat(SaslPrep.prepare("\u05D0a\u05D1")).isEmpty();
        assertThat(SaslPrep.prepare("\u05D0\u05D1")).contains("\u05D0\u05D1");
        assertThat(SaslPrep.prepare("\u00AD")).isEmpty();
        // a composed and a decomposed e-acute give the same verifier
        byte[] salt = new byte[16];
        assertThat(ScramSha256.createVerifier("caf\u00E9\u00A0", salt, 4096))
                .isEqualTo(ScramSha256.createVerifier("cafe\u0301 ", salt, 4096));
    }

    @Test
    void shouldComputeMd5Secrets() {
        assertThat(Md5Password.encrypt("secret", "postgres")).isEqualTo("md5" + MD5_SECRETPOSTGRES);
        byte[] salt = {1, 2, 3, 4};
        String response = Md5Password.clientResponse("secret", "postgres", salt);
        assertThat(response).isEqualTo("md5" + Md5Password.md5Hex(concat(MD5_SECRETPOSTGRES.getBytes(StandardCharsets.US_ASCII), salt)));
        assertThat(Md5Password.verify(Md5Password.encrypt("secret", "postgres"), "postgres", salt, response)).isTrue();
        assertThat(Md5Password.verify("secret", "postgres", salt, response)).isTrue();
        assertThat(Md5Password.verify("wrong", "postgres", salt, response)).isFalse();
        assertThat(Md5Password.verify(Md5Password.encrypt("secret", "postgres"), "postgres", new byte[4], response)).isFalse();
        assertThat(Md5Password.verify(ScramSha256.createVerifier("secret"), "postgres", salt, response)).isFalse();
    }

    static final String MD5_SECRETPOSTGRES = "53f48b7c4b76a86ce72276c5755f217d";

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
