package io.lrep.publisher.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.protocol.pgoutput.PgOutputEncoder;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.protocol.pgoutput.PgOutputStreamDecoder;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.publisher.decoding.HistoricCatalog;
import io.lrep.publisher.decoding.LogicalDecoder;
import io.lrep.publisher.publication.PublicationCatalog;
import io.lrep.publisher.publication.RowFilter;
import io.lrep.publisher.publication.RowFilterCompiler;
import io.lrep.publisher.walsender.ReplicationCommand.PluginOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real storage over a {@link MemoryWalLog}, a {@link LogicalDecoder} reading it from the start
 * with a {@link PgOutputPlugin} on top, and a sink that encodes each message and decodes the
 * bytes again with {@link PgOutputStreamDecoder}, as a subscriber would read them.
 */
final class PluginHarness implements AutoCloseable {

    /** Filters of the form {@code (col op number)}, op one of {@code > < = <>}; a NULL column fails. */
    static final RowFilterCompiler FILTERS = new RowFilterCompiler() {
        private final Pattern form = Pattern.compile("\\((\\w+) (>|<|=|<>) (-?\\d+)\\)");

        @Override
        public RowFilter compile(TableDef table, String expression) {
            Matcher m = form.matcher(expression);
            if (!m.matches()) {
                throw new IllegalArgumentException("filter: " + expression);
            }
            int idx = table.column(m.group(1)).attnum() - 1;
            long n = Long.parseLong(m.group(3));
            String op = m.group(2);
            return row -> {
                if (row[idx] == null) {
                    return false;
                }
                long v = ((Number) row[idx]).longValue();
                return switch (op) {
                    case ">" -> v > n;
                    case "<" -> v < n;
                    case "=" -> v == n;
                    default -> v != n;
                };
            };
        }

        @Override
        public Set<Integer> columnsUsed(TableDef table, String expression) {
            Matcher m = form.matcher(expression);
            return m.matches() ? Set.of(table.column(m.group(1)).attnum()) : Set.of();
        }
    };

    /** One message as the subscriber read it, with the LSN its XLogData carried. */
    record Sent(PgOutputMessage message, long walPosition) {
        @Override
        public String toString() {
            return message + " @" + Long.toHexString(walPosition);
        }
    }

    static final Instant NOW = Instant.parse("2024-05-06T07:08:09Z");

    final MemoryWalLog wal = new MemoryWalLog();
    final StorageEngine storage = new StorageEngine(wal);
    private final Path spillDir;
    private LogicalDecoder decoder;
    private PgOutputPlugin plugin;
    private PgOutputStreamDecoder reader;
    private final List<Sent> sent = new ArrayList<>();
    private int taken;

    PluginHarness(Path spillDir) {
        this.spillDir = spillDir;
        inTxn(PublicationCatalog::bootstrap);
    }

    static List<PluginOption> opts(String... nameValues) {
        List<PluginOption> out = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            out.add(new PluginOption(nameValues[i], nameValues[i + 1]));
        }
        return out;
    }

    /** Runs {@code body} in a transaction and commits it; returns the commit's end LSN. */
    long inTxn(Consumer<Transaction> body) {
        try (Transaction t = storage.begin()) {
            body.accept(t);
            return t.commit();
        }
    }

    /** Starts streaming at the current end of WAL (what comes later is sent) with these options. */
    void start(long workMemBytes, String... nameValues) {
        PgOutputOptions options = PgOutputOptions.parse(opts(nameValues));
        plugin = new PgOutputPlugin(options, storage, FILTERS, this::receive,
                id -> id == 7 ? "origin_seven" : null, Clock.fixed(NOW, ZoneOffset.UTC));
        reader = new PgOutputStreamDecoder(options.protocolVersion());
        wal.flushAll();
        decoder = new LogicalDecoder(wal, MemoryWalLog.START_LSN, wal.insertLsn(), HistoricCatalog.empty(), plugin,
                new LogicalDecoder.Options(workMemBytes, spillDir, options.streams()));
    }

    void start(String... nameValues) {
        start(64L * 1024 * 1024, nameValues);
    }

    private void receive(PgOutputMessage m, long walPosition) {
        byte[] bytes = new PgOutputEncoder(plugin.options().protocolVersion()).encode(m);
        PgOutputMessage read = reader.decode(bytes);
        assertThat(read).as("decode(encode(m))").isEqualTo(m);
        sent.add(new Sent(read, walPosition));
    }

    /** Decodes everything flushed so far and returns the messages sent since the last call. */
    List<Sent> drain() {
        wal.flushAll();
        while (decoder.decode(100) > 0) {
            // until the reader has nothing more
        }
        List<Sent> out = List.copyOf(sent.subList(taken, sent.size()));
        taken = sent.size();
        return out;
    }

    /** As {@link #drain()}, only the messages. */
    List<PgOutputMessage> messages() {
        return drain().stream().map(Sent::message).toList();
    }

    PgOutputPlugin plugin() {
        return plugin;
    }

    @Override
    public void close() {
        if (decoder != null) {
            decoder.close();
        }
    }
}
