package io.lrep.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void shouldCreateLayoutAndOpenIt() {
        Path dir = tmp.resolve("data");
        DataDirectory.createLayout(dir, "port = 1\n");
        assertThat(DataDirectory.isInitialized(dir)).isTrue();
        try (DataDirectory dd = DataDirectory.open(dir)) {
            assertThat(dd.walDir()).isDirectory();
            assertThat(dd.configFile()).hasContent("port = 1\n");
            assertThat(dir.resolve(DataDirectory.LOCK_FILE)).exists();
        }
        assertThat(dir.resolve(DataDirectory.LOCK_FILE)).doesNotExist();
    }

    @Test
    void shouldRefuseASecondOpenWhileLockedNamingTheLockFile() {
        Path dir = tmp.resolve("data");
        DataDirectory.createLayout(dir, "");
        try (DataDirectory first = DataDirectory.open(dir)) {
            assertThat(first.root()).isEqualTo(dir);
            assertThatThrownBy(() -> DataDirectory.open(dir))
                    .isInstanceOf(LrepException.class)
                    .hasMessageContaining(dir.resolve(DataDirectory.LOCK_FILE).toString())
                    .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.LOCK_FILE_EXISTS);
        }
        DataDirectory.open(dir).close();
    }

    @Test
    void shouldTakeOverAStaleLockFile() throws Exception {
        Path dir = tmp.resolve("data");
        DataDirectory.createLayout(dir, "");
        Files.writeString(dir.resolve(DataDirectory.LOCK_FILE), "999999\n");
        DataDirectory.open(dir).close();
    }

    @Test
    void shouldRefuseAnotherVersionNamingTheFile() throws Exception {
        Path dir = tmp.resolve("data");
        DataDirectory.createLayout(dir, "");
        Files.writeString(dir.resolve(DataDirectory.VERSION_FILE), "99\n");
        assertThatThrownBy(() -> DataDirectory.open(dir))
                .hasMessageContaining("incompatible")
                .hasMessageContaining(dir.resolve(DataDirectory.VERSION_FILE).toString());
    }

    @Test
    void shouldRefuseADirectoryThatIsNotADataDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("other"));
        assertThatThrownBy(() -> DataDirectory.open(dir)).hasMessageContaining("not a valid data directory");
        Files.writeString(dir.resolve("x"), "");
        assertThatThrownBy(() -> DataDirectory.createLayout(dir, "")).hasMessageContaining("exists but is not empty");
    }
}
