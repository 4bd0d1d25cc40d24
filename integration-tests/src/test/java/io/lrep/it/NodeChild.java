package io.lrep.it;

import io.lrep.node.Node;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A node in a JVM of its own, for the tests that kill it with SIGKILL ({@link ChildNode}). It
 * starts {@link Node} on an initialised data directory with the settings it is given, prints
 * {@code PORT <port>} on standard output once the node is ready, and runs until killed.
 * Arguments: data directory, then {@code name=value} settings. If the node cannot start (its
 * port still taken, say) the process exits with status 2; when its parent exits, it halts.
 */
public final class NodeChild {

    private NodeChild() {}

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        Map<String, String> settings = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        // a test JVM that dies without killing its child takes the child with it
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        Node node;
        try {
            node = Node.start(dataDir, settings);
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(2);
            return;
        }
        out.println("PORT " + node.port());
        Thread.currentThread().join(); // runs until killed
    }
}
