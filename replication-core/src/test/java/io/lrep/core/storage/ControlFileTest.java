package io.lrep.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ControlFile.CheckpointLocation;
import io.lrep.core.storage.ControlFile.State;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlFileTest {

    @TempDir
    Path dataDir;

    @Test
    void shouldRoundTripEveryField() {
        ControlFile cf = ControlFile.create(dataDir, 0x1234_5678_9ABC_DEF0L);
        assertThat(cf.state()).isEqualTo(State.SHUT_DOWN);
        assertThat(cf.latestCheckpoint().exists()).isFalse();

        CheckpointLocation first = new CheckpointLocation("pg_checkpoint/0000000001000040.img", 0x1000080L, 0x1000000L,
                0x1000040L);
        CheckpointLocation second = new CheckpointLocation("pg_checkpoint/0000000001000100.img", 0x1000140L, 0x10000C0L,
                0x1000100L);
        cf.recordCheckpoint(first);
        cf.recordCheckpoint(second);
        cf.setState(State.IN_PRODUCTION);
        cf.setTimeline(3);
        cf.write();

        ControlFile back = ControlFile.read(dataDir);
        assertThat(back.systemId()).isEqualTo(0x1234_5678_9ABC_DEF0L);
        assertThat(back.state()).isEqualTo(State.IN_PRODUCTION);
        assertThat(back.timeline()).isEqualTo(3);
        assertThat(back.latestCheckpoint()).isEqualTo(second);
        assertThat(back.previousCheckpoint()).isEqualTo(first);
        assertThat(back.updateTimeMicros()).isEqualTo(cf.updateTimeMicros()).isPositive();
        assertThat(dataDir.resolve("global/pg_control")).hasSize(ControlFile.FILE_SIZE);
        assertThat(dataDir.resolve("global")).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".tmp"));
    }

    @Test
    void shouldKeepPreviousWhenTheSameCheckpointIsRecordedAgain() {
        ControlFile cf = ControlFile.create(dataDir, 1);
        CheckpointLocation a = new CheckpointLocation("pg_checkpoint/a.img", 3, 1, 2);
        CheckpointLocation b = new CheckpointLocation("pg_checkpoint/b.img", 6, 4, 5);
        cf.recordCheckpoint(a);
        cf.recordCheckpoint(b);
        cf.recordCheckpoint(b);
        assertThat(cf.previousCheckpoint()).isEqualTo(a);
        assertThat(cf.latestCheckpoint()).isEqualTo(b);
    }

    @Test
    void shouldRefuseToCreateTwice() {
        ControlFile.create(dataDir, 1);
        assertThatThrownBy(() -> ControlFile.create(dataDir, 2))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.CONFIG_FILE_ERROR))
                .hasMessageContaining("pg_control");
    }

    @Test
    void shouldNameTheFileWhenMissing() {
        assertThatThrownBy(() -> ControlFile.read(dataDir))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_FILE))
                .hasMessageContaining(dataDir.resolve("global/pg_control").toString());
    }

    @Test
    void shouldDetectACorruptByte() throws IOException {
        ControlFile.create(dataDir, 42).write();
        Path file = dataDir.resolve(ControlFile.RELATIVE_PATH);
        byte[] bytes = Files.readAllBytes(file);
        bytes[ControlFile.OFF_SYSTEM_ID] ^= 0x01;
        Files.write(file, bytes);

        assertThatThrownBy(() -> ControlFile.read(dataDir))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.DATA_CORRUPTED))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("checksum");
    }

    @Test
    void shouldDetectATruncatedFile() throws IOException {
        ControlFile.create(dataDir, 42);
        Path file = dataDir.resolve(ControlFile.RELATIVE_PATH);
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 100));

        assertThatThrownBy(() -> ControlFile.read(dataDir))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.DATA_CORRUPTED))
                .hasMessageContaining(file.toString());
    }

    @Test
    void shouldDetectAWrongMagic() throws IOException {
        Path file = dataDir.resolve(ControlFile.RELATIVE_PATH);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[ControlFile.FILE_SIZE]);

        assertThatThrownBy(() -> ControlFile.read(dataDir))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.DATA_CORRUPTED))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("magic");
    }

    @Test
    void shouldRejectAnotherControlVersion() throws IOException {
        ControlFile.create(dataDir, 42);
        Path file = dataDir.resolve(ControlFile.RELATIVE_PATH);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(ControlFile.OFF_VERSION, 7);
        buf.putInt(ControlFile.OFF_CRC, ControlFile.crc(bytes, 0, ControlFile.OFF_CRC));
        Files.write(file, bytes);

        assertThatThrownBy(() -> ControlFile.read(dataDir))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.CONFIG_FILE_ERROR);
                    assertThat(e.severity()).isEqualTo(LrepException.Severity.FATAL);
                    assertThat(e.hint()).contains("initdb");
                })
                .hasMessageContaining("database files are incompatible with server")
                .hasMessageContaining(file.toString())
                .hasMessageContaining("initialized with control version 7, but the server was compiled with control version 1");
    }

    @Test
    void shouldMakeSystemIdentifiersFromTimeAndPid() {
        long id = ControlFile.newSystemIdentifier();
        long seconds = id >>> 32;
        assertThat(seconds).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
        assertThat(id & 0xFFF).isEqualTo(ProcessHandle.current().pid() & 0xFFF);
    }
}
