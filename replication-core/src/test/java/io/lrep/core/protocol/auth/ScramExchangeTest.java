package io.lrep.core.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ScramExchangeTest {

    static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void shouldReproduceRfc7677Exchange() {
        String secret = ScramSha256.createVerifier("pencil", Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096)
                .encode();
        ScramClient client = new ScramClient("user", "pencil", CLIENT_NONCE);
        ScramServer server = new ScramServer("user", secret, () -> SERVER_NONCE);

        byte[] clientFirst = client.clientFirstMessage();
        assertThat(s(clientFirst)).isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        byte[] serverFirst = server.handleClientFirst(clientFirst);
        assertThat(s(serverFirst))
                .isEqualTo("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        byte[] clientFinal = client.handleServerFirst(serverFirst);
        assertThat(s(clientFinal)).isEqualTo("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        ScramServer.Outcome outcome = server.handleClientFinal(clientFinal);
        assertThat(outcome.authenticated()).isTrue();
        assertThat(s(outcome.serverFinalMessage())).isEqualTo("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        client.verifyServerFinal(outcome.serverFinalMessage());
    }

    private static ScramServer.Outcome exchange(String clientPassword, String storedSecret) {
        ScramClient client = new ScramClient(clientPassword);
        ScramServer server = new ScramServer("alice", storedSecret);
        byte[] clientFinal = client.handleServerFirst(server.handleClientFirst(client.clientFirstMessage()));
        ScramServer.Outcome outcome = server.handleClientFinal(clientFinal);
        if (outcome.authenticated()) {
            client.verifyServerFinal(outcome.serverFinalMessage());
        }
        return outcome;
    }

    @Test
    void shouldAuthenticateAgainstStoredVerifierAndPlainPassword() {
        assertThat(exchange("s3cret", ScramSha256.createVerifier("s3cret")).authenticated()).isTrue();
        assertThat(exchange("s3cret", "s3cret").authenticated()).isTrue();
        assertThat(exchange("caf\u00E9", ScramSha256.createVerifier("cafe\u0301")).authenticated()).isTrue();
    }

    @Test
    void shouldFailWrongPasswordAndSecretsThatCannotDoScram() {
        ScramServer.Outcome wrong = exchange("wrong", ScramSha256.createVerifier("s3cret"));
        assertThat(wrong.authenticated()).isFalse();
        assertThat(wrong.serverFinalMessage()).isNull();
        assertThat(exchange("s3cret", Md5Password.encrypt("s3cret", "alice")))
                .satisfies(o -> assertThat(o.authenticated()).isFalse())
                .satisfies(o -> assertThat(o.logDetail()).isEqualTo("User \"alice\" does not have a valid SCRAM secret."));
        assertThat(exchange("", null).authenticated()).isFalse();
    }

    @Test
    void shouldUseStableMockSaltForUnknownUsers() {
        byte[] first = b("n,,n=,r=abc");
        String a = s(new ScramServer("ghost", null).handleClientFirst(first));
        String again = s(new ScramServer("ghost", null).handleClientFirst(first));
        assertThat(a.substring(a.indexOf(",s="))).isEqualTo(again.substring(again.indexOf(",s=")));
    }

    @Test
    void clientShouldRejectForgedServerSignature() {
        ScramClient client = new ScramClient("s3cret");
        ScramServer server = new ScramServer("alice", ScramSha256.createVerifier("s3cret"));
        client.handleServerFirst(server.handleClientFirst(client.clientFirstMessage()));
        assertThatThrownBy(() -> client.verifyServerFinal(b("v=" + Base64.getEncoder().encodeToString(new byte[32]))))
                .isInstanceOf(LrepException.class).hasMessage("incorrect server signature");
        assertThatThrownBy(() -> client.verifyServerFinal(b("e=invalid-proof")))
                .hasMessage("error received from server in SCRAM exchange: invalid-proof");
    }

    @Test
    void clientShouldRejectServerNonceNotExtendingItsOwn() {
        ScramClient client = new ScramClient("user", "pencil", CLIENT_NONCE);
        assertThatThrownBy(() -> client.handleServerFirst(b("r=other,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
                .satisfies(e -> assertThat(((LrepException) e).sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION));
    }

    private static SqlState stateOf(Throwable e) {
        return ((LrepException) e).sqlState();
    }

    @Test
    void shouldRejectChannelBindingAndUnsupportedFeatures() {
        assertThatThrownBy(() -> server().handleClientFirst(b("p=tls-server-end-point,,n=,r=abc")))
                .satisfies(e -> assertThat(stateOf(e)).isEqualTo(SqlState.PROTOCOL_VIOLATION))
                .hasMessage("malformed SCRAM message");
        assertThatThrownBy(() -> server().handleClientFirst(b("n,a=bob,n=,r=abc")))
                .satisfies(e -> assertThat(stateOf(e)).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED));
        assertThatThrownBy(() -> server().handleClientFirst(b("n,,m=ext,n=,r=abc")))
                .satisfies(e -> assertThat(stateOf(e)).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED));
        assertThatThrownBy(() -> server().handleClientFirst(b("x,,n=,r=abc")))
                .satisfies(e -> assertThat(stateOf(e)).isEqualTo(SqlState.PROTOCOL_VIOLATION));
        assertThatThrownBy(() -> server().handleClientFirst(b("n,,n=,r=a b")))
                .satisfies(e -> assertThat(stateOf(e)).isEqualTo(SqlState.PROTOCOL_VIOLATION));
        assertThatThrownBy(() -> server().handleClientFirst(b("n,,r=abc")))
                .satisfies(e -> assertThat(stateOf(e)).isEqualTo(SqlState.PROTOCOL_VIOLATION));
    }

    @Test
    void shouldAcceptYFlagButRequireMatchingBindingAttribute() {
        ScramServer server = server();
        String serverFirst = s(server.handleClientFirst(b("y,,n=,r=abc")));
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        String proof = Base64.getEncoder().encodeToString(new byte[32]);
        assertThatThrownBy(() -> server.handleClientFinal(b("c=biws,r=" + nonce + ",p=" + proof)))
                .hasMessage("unexpected SCRAM channel-binding attribute in client-final-message");
        ScramServer server2 = server();
        String serverFirst2 = s(server2.handleClientFirst(b("y,,n=,r=abc")));
        String nonce2 = serverFirst2.substring(2, serverFirst2.indexOf(','));
        assertThat(server2.handleClientFinal(b("c=eSws,r=" + nonce2 + ",p=" + proof)).authenticated()).isFalse();
    }

    @Test
    void shouldRejectMalformedClientFinal() {
        String proof = Base64.getEncoder().encodeToString(new byte[32]);
        ScramServer a = server();
        a.handleClientFirst(b("n,,n=,r=abc"));
        assertThatThrownBy(() -> a.handleClientFinal(b("c=biws,r=abcWRONG,p=" + proof))).hasMessage("invalid SCRAM response");
        ScramServer c = server();
        String nonce = nonceOf(c);
        assertThatThrownBy(() -> c.handleClientFinal(b("c=biws,r=" + nonce + ",p=AAAA")))
                .hasMessage("malformed SCRAM message");
        ScramServer d = server();
        String nonce2 = nonceOf(d);
        assertThatThrownBy(() -> d.handleClientFinal(b("c=biws,r=" + nonce2 + ",p=" + proof + ",x=1")))
                .hasMessage("malformed SCRAM message");
        ScramServer e = server();
        String nonce3 = nonceOf(e);
        assertThatThrownBy(() -> e.handleClientFinal(b("c=biws,r=" + nonce3)))
                .hasMessage("malformed SCRAM message");
        assertThatThrownBy(() -> e.handleClientFinal(b("c=biws"))).isInstanceOf(IllegalStateException.class);
    }

    private static String nonceOf(ScramServer server) {
        String first = s(server.handleClientFirst(b("n,,n=,r=abc")));
        return first.substring(2, first.indexOf(','));
    }

    private static ScramServer server() {
        return new ScramServer("alice", ScramSha256.createVerifier("s3cret"));
    }
}
