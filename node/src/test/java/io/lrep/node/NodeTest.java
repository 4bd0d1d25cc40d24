package io.lrep.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ControlFile;
import io.lrep.core.storage.DataDirectory;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.core.worker.WorkerInfo;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeTest {

    @TempDir
    Path tmp;

    private Path initWithRows(int rows) {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of("cluster_name", "t"));
        try (Node node = Node.start(dir, Map.of())) {
            try (Transaction t = node.storage().begin()) {
                TableDef table = t.createTable("public", "t", List.of(ColumnDef.of("id", PgType.INT4).notNullColumn()), List.of("id"));
                t.nextCommand();
                for (int i = 0; i < rows; i++) {
                    t.insert(table, new Object[] {i});
                }
                t.commit();
            }
        }
        return dir;
    }

    private static long count(Node node) {
        try (Transaction t = node.storage().begin()) {
            long n = 0;
            for (var it = t.scan(t.table("public", "t"), t.statementSnapshot()); it.hasNext(); it.next()) {
                n++;
            }
            return n;
        }
    }

    private static boolean nodeThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(th -> th.isAlive() && (th.getName().equals("walwriter") || th.getName().equals("checkpointer")));
    }

    @Test
    void shouldKeepCommittedRowsAcrossACleanRestartAndListItsWorkers() {
        Path dir = initWithRows(100);
        try (Node node = Node.start(dir, Map.of())) {
            assertThat(node.recovery().crashRecovery()).isFalse();
            assertThat(count(node)).isEqualTo(100);
            assertThat(node.supervisor().workers()).extracting(WorkerInfo::type).contains("walwriter", "checkpointer");
            assertThat(node.controlFile().state()).isEqualTo(ControlFile.State.IN_PRODUCTION);
        }
        assertThat(nodeThreadsAlive()).isFalse();
    }

    @Test
    void shouldRecoverAfterAHalt() {
        Path dir = initWithRows(10);
        Node node = Node.start(dir, Map.of());
        try (Transaction t = node.storage().begin()) {
            t.insert(t.table("public", "t"), new Object[] {1000});
            t.commit();
        }
        node.halt();
        try (Node again = Node.start(dir, Map.of())) {
            assertThat(again.recovery().crashRecovery()).isTrue();
            assertThat(count(again)).isEqualTo(11);
        }
    }

    @Test
    void shouldRefuseASecondNodeOnTheSameDirectory() {
        Path dir = initWithRows(1);
        try (Node node = Node.start(dir, Map.of())) {
            assertThatThrownBy(() -> Node.start(dir, Map.of()))
                    .isInstanceOf(LrepException.class)
                    .hasMessageContaining(dir.resolve(DataDirectory.LOCK_FILE).toString());
            assertThat(count(node)).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseADataDirectoryOfAnotherVersion() throws Exception {
        Path dir = initWithRows(1);
        Files.writeString(dir.resolve(DataDirectory.VERSION_FILE), "2\n");
        assertThatThrownBy(() -> Node.start(dir, Map.of())).hasMessageContaining(DataDirectory.VERSION_FILE);
        assertThat(nodeThreadsAlive()).isFalse();
    }

    @Test
    void shouldRefuseToStartWhenEveryCheckpointImageIsCorruptNamingTheFile() throws Exception {
        Path dir = initWithRows(10);
        try (Node node = Node.start(dir, Map.of())) {
            node.checkpoint();
        }
        List<Path> images;
        try (Stream<Path> s = Files.list(dir.resolve("pg_checkpoint"))) {
            images = s.toList();
        }
        assertThat(images).isNotEmpty();
        for (Path image : images) {
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.seek(f.length() / 2);
                int b = f.read();
                f.seek(f.length() / 2);
                f.write(b ^ 0x5A);
            }
        }
        assertThatThrownBy(() -> Node.start(dir, Map.of()))
                .isInstanceOf(LrepException.class)
                .hasMessageContaining(images.get(0).getFileName().toString());
        assertThat(nodeThreadsAlive()).isFalse();
        // the failed start released the lock file: a second attempt fails the same way, not on the lock
        assertThatThrownBy(() -> Node.start(dir, Map.of())).hasMessageNotContaining(DataDirectory.LOCK_FILE);
    }

    @Test
    void shouldRefuseAnUnreadableSegmentNamingTheFile() throws Exception {
        Path dir = initWithRows(10);
        Path segment;
        try (Stream<Path> s = Files.list(dir.resolve("pg_wal"))) {
            segment = s.sorted().findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(12345); // a segment of the wrong size
        }
        assertThatThrownBy(() -> Node.start(dir, Map.of()))
                .isInstanceOf(LrepException.class)
                .hasMessageContaining(segment.getFileName().toString());
        assertThat(nodeThreadsAlive()).isFalse();
    }

    @Test
    void shouldRefuseABadSettingNamingTheParameter() {
        Path dir = initWithRows(0);
        assertThatThrownBy(() -> Node.start(dir, Map.of("max_wal_senders", "many")))
                .isInstanceOf(LrepException.class)
                .hasMessageContaining("max_wal_senders")
                .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
    }
}
