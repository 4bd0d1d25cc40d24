package io.lrep.subscriber.client;

import io.lrep.core.protocol.BackendMessage;
import io.lrep.core.protocol.BackendMessage.TransactionStatus;
import io.lrep.core.protocol.FrontendMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted PostgreSQL server on 127.0.0.1 and a port the OS picks: each accepted connection
 * runs the next script on its own thread. Failures in a script (assertions included) are
 * rethrown by {@link #close()}.
 */
final class FakeServer implements AutoCloseable {

    /** What one connection does. */
    @FunctionalInterface
    interface Script {
        void run(Peer peer) throws Exception;
    }

    private final ServerSocket socket;
    private final Thread acceptor;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<Thread> handlers = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    FakeServer(Script... scripts) throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            for (Script script : scripts) {
                Socket s;
                try {
                    s = socket.accept();
                } catch (IOException e) {
                    return; // closed
                }
                sockets.add(s);
                Thread t = new Thread(() -> {
                    try {
                        script.run(new Peer(s));
                    } catch (Throwable e) {
                        failures.add(e);
                    } finally {
                        try {
                            s.close();
                        } catch (IOException e) {
                            failures.add(e);
                        }
                    }
                }, "fake-pg-" + handlers.size());
                handlers.add(t);
                t.start();
            }
        }, "fake-pg-accept");
        acceptor.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    String conninfo(String more) {
        return "host=127.0.0.1 port=" + port() + " user=alice dbname=db sslmode=disable " + more;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            joinAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the fake server", e);
        }
    }

    private void joinAll() throws InterruptedException {
        acceptor.join(10_000);
        for (Thread t : handlers) {
            t.join(10_000);
            if (t.isAlive()) {
                sockets.forEach(s -> {
                    try {
                        s.close();
                    } catch (IOException e) {
                        failures.add(e);
                    }
                });
                t.join(10_000);
            }
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("fake server script failed", failures.get(0));
            failures.subList(1, failures.size()).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** A message read from the client. */
    record Msg(char type, byte[] body) {
        /** The body as one NUL-terminated string. */
        String string() {
            return new String(body, 0, body.length - 1, StandardCharsets.UTF_8);
        }
    }

    /** A startup packet: its code and, for a StartupMessage, the parameters. */
    record Startup(int code, Map<String, String> parameters, byte[] body) {
    }

    /** The server end of one connection. */
    static final class Peer {
        private final DataInputStream in;
        private final OutputStream out;

        Peer(Socket s) throws IOException {
            in = new DataInputStream(s.getInputStream());
            out = s.getOutputStream();
        }

        Startup readStartup() throws IOException {
            int len = in.readInt();
            int code = in.readInt();
            byte[] body = new byte[len - 8];
            in.readFully(body);
            Map<String, String> params = new LinkedHashMap<>();
            if (code == FrontendMessage.PROTOCOL_3_0) {
                int i = 0;
                while (body[i] != 0) {
                    int k = i;
                    while (body[i] != 0) {
                        i++;
                    }
                    String key = new String(body, k, i - k, StandardCharsets.UTF_8);
                    int v = ++i;
                    while (body[i] != 0) {
                        i++;
                    }
                    params.put(key, new String(body, v, i - v, StandardCharsets.UTF_8));
                    i++;
                }
            }
            return new Startup(code, params, body);
        }

        Msg read() throws IOException {
            char type = (char) in.readUnsignedByte();
            int len = in.readInt();
            byte[] body = new byte[len - 4];
            in.readFully(body);
            return new Msg(type, body);
        }

        /** Reads a message and checks its type. */
        Msg expect(char type) throws IOException {
            Msg m = read();
            if (m.type() != type) {
                throw new AssertionError("expected '" + type + "' but got '" + m.type() + "'");
            }
            return m;
        }

        /** Reads a Query and returns its text. */
        String query() throws IOException {
            return expect('Q').string();
        }

        void send(BackendMessage... messages) throws IOException {
            ByteBuf buf = Unpooled.buffer();
            try {
                for (BackendMessage m : messages) {
                    m.encode(buf);
                }
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                out.write(bytes);
                out.flush();
            } finally {
                buf.release();
            }
        }

        void sendRaw(byte... bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** AuthenticationOk, server_version, BackendKeyData and ReadyForQuery. */
        void acceptSession() throws IOException {
            send(new BackendMessage.AuthenticationOk(), new BackendMessage.ParameterStatus("server_version", "15.4"),
                    new BackendMessage.ParameterStatus("client_encoding", "UTF8"),
                    new BackendMessage.BackendKeyData(4242, 777), ready());
        }

        /** Reads the startup packet and accepts the session (trust). */
        Startup trust() throws IOException {
            Startup s = readStartup();
            acceptSession();
            return s;
        }

        /** Expects the client's Terminate and then end of stream. */
        void expectTerminate() throws IOException {
            expect('X');
        }

        static BackendMessage.ReadyForQuery ready() {
            return new BackendMessage.ReadyForQuery(TransactionStatus.IDLE);
        }
    }
}
