package io.lrep.publisher.walsender;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.publisher.decoding.HistoricCatalog;
import io.lrep.publisher.slot.SlotManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A logical slot's saved decoding catalog ({@link HistoricCatalog#serialize(long)}), kept in the
 * slot's directory as {@code catalog-<restart LSN, 16 hex digits>} so a state always names the
 * restart LSN it is valid at.
 *
 * <p>Crash safety: a new state is saved (durably) before the slot's restart_lsn moves to it, and
 * older states are removed only after; so whatever restart_lsn the slot's state file holds
 * after a crash, its catalog file is there. A new slot's creator saves the initial catalog with
 * {@link #save} at the slot's restart_lsn before anyone streams from it.
 */
public final class CatalogStateStore {

    private static final String PREFIX = "catalog-";

    private CatalogStateStore() {
    }

    /** The file name for a state valid at {@code restartLsn}. */
    public static String fileName(long restartLsn) {
        return PREFIX + String.format(Locale.ROOT, "%016X", restartLsn);
    }

    /**
     * Saves {@code state} for {@code restartLsn} durably.
     *
     * @throws LrepException 42704 no such slot, 58030 on an I/O error
     */
    public static void save(SlotManager slots, String slotName, long restartLsn, byte[] state) {
        slots.saveAux(slotName, fileName(restartLsn), state);
    }

    /**
     * The catalog saved for {@code restartLsn}, or empty when there is none.
     *
     * @throws LrepException XX001 if the saved state is corrupt
     */
    public static Optional<HistoricCatalog> load(SlotManager slots, String slotName, long restartLsn) {
        return slots.loadAux(slotName, fileName(restartLsn)).map(HistoricCatalog::deserialize);
    }

    /** Removes every saved state but the one for {@code keepRestartLsn}. */
    public static void removeAllBut(SlotManager slots, String slotName, long keepRestartLsn) {
        String keep = fileName(keepRestartLsn);
        Path dir = slots.directory(slotName);
        List<String> stale = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(PREFIX) && !n.equals(keep)).forEach(stale::add);
        } catch (NoSuchFileException e) {
            return; // the slot was dropped meanwhile: nothing left to clean
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not read directory \"" + dir + "\": " + e.getMessage(), e);
        }
        for (String name : stale) {
            slots.deleteAux(slotName, name);
        }
    }
}
