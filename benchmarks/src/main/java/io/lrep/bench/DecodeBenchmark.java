package io.lrep.bench;

import io.lrep.core.protocol.pgoutput.PgOutputEncoder;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.protocol.replication.XLogData;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.Wal;
import io.lrep.core.wal.WalConfig;
import io.lrep.core.wal.WalStats;
import io.lrep.publisher.decoding.HistoricCatalog;
import io.lrep.publisher.decoding.LogicalDecoder;
import io.lrep.publisher.pgoutput.PgOutputOptions;
import io.lrep.publisher.pgoutput.PgOutputPlugin;
import io.lrep.publisher.pgoutput.PgOutputSink;
import io.lrep.publisher.publication.PublicationCatalog;
import io.lrep.publisher.publication.PublishActions;
import io.lrep.publisher.publication.RowFilter;
import io.lrep.publisher.publication.RowFilterCompiler;
import io.lrep.publisher.walsender.ReplicationCommand.PluginOption;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Logical decoding throughput from the WAL ring to pgoutput bytes, as a walsender does it:
 * {@value #CHANGES} row changes (INSERTs of {@code (id int4 primary key, name text, amount
 * int8)}, {@value #ROWS_PER_TXN} per transaction, written through real storage into a real
 * {@link Wal} whose 64 MiB ring still holds them all), read by a {@link LogicalDecoder} with a
 * {@link PgOutputPlugin} (protocol 1, text values, one FOR ALL TABLES publication) into a sink
 * that encodes each message with its XLogData header into a reused buffer, as the walsender
 * frames it. One invocation decodes the whole stretch with a new decoder, so ops/s = row
 * changes/s.
 *
 * <ul>
 *   <li>{@code oneSlot}: one walsender;</li>
 *   <li>{@code fourSlots}: four threads, each its own decoder and plugin over the same WAL
 *       (four slots reading at once); JMH reports their sum, per walsender is a quarter.</li>
 * </ul>
 * Teardown prints how many records came from the ring and from segment files, and fails the
 * trial if more than 1% came from segments.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class DecodeBenchmark {

    static final int CHANGES = 100_000;
    static final int ROWS_PER_TXN = 100;
    private static final int RING_BYTES = 64 * 1024 * 1024;

    /** Values as text ({@code false}) or in binary ({@code true}). */
    @Param({"false", "true"})
    public boolean binary;

    private Path dir;
    private Wal wal;
    private StorageEngine storage;
    private long start;
    private long end;
    private List<TableDef> tables;

    private static final RowFilterCompiler NO_FILTERS = new RowFilterCompiler() {
        @Override
        public RowFilter compile(TableDef table, String expression) {
            throw new IllegalStateException("no row filters in this benchmark");
        }

        @Override
        public Set<Integer> columnsUsed(TableDef table, String expression) {
            throw new IllegalStateException("no row filters in this benchmark");
        }
    };

    @Setup(Level.Trial)
    public void setUp() {
        dir = BenchFiles.newDir("lrep-decode");
        Path ringDir = WalAppendBenchmark.ringDir();
        Path ringFile = (ringDir != null ? ringDir : dir).resolve("wal_buffers");
        wal = Wal.open(WalConfig.of(dir.resolve("pg_wal")).withRingFile(ringFile).withRingCapacity(RING_BYTES).withFsync(false));
        wal.startWriterThread();
        storage = new StorageEngine(wal);
        try (Transaction t = storage.begin()) {
            PublicationCatalog.bootstrap(t);
            t.createTable("public", "orders", List.of(ColumnDef.of("id", PgType.INT4).notNullColumn(),
                    ColumnDef.of("name", PgType.TEXT), ColumnDef.of("amount", PgType.INT8)), List.of("id"));
            PublicationCatalog.create(t, "pub", 10, true, PublishActions.ALL, false);
            t.commit();
        }
        try (Transaction t = storage.begin()) {
            tables = t.tables();
        }
        start = wal.insertLsn();
        int id = 0;
        while (id < CHANGES) {
            try (Transaction t = storage.begin()) {
                TableDef orders = t.table("public", "orders");
                for (int i = 0; i < ROWS_PER_TXN; i++, id++) {
                    t.insert(orders, new Object[] {id, "customer-" + (id * 7919 % 100_000), 1000L + id});
                }
                end = t.commit();
            }
        }
        wal.waitForFlush(end);
        if (end - start > RING_BYTES / 2) {
            throw new IllegalStateException("the stretch takes " + (end - start) + " bytes: more than half the ring");
        }
        System.out.printf("  [decode] %d changes in %d bytes of WAL (%.1f bytes per change)%n", CHANGES, end - start,
                (double) (end - start) / CHANGES);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        WalStats s = wal.stats();
        System.out.printf("  [wal] records read from the ring: %d, from segment files: %d%n", s.ringReads(), s.readerFallbacks());
        try {
            long total = s.ringReads() + s.readerFallbacks();
            if (total == 0 || s.readerFallbacks() * 100 > total) {
                throw new IllegalStateException("the decoders read " + s.ringReads() + " records from the ring and "
                        + s.readerFallbacks() + " from segment files");
            }
        } finally {
            wal.close();
            BenchFiles.deleteRecursively(dir);
        }
    }

    /** One walsender's decoder state: its spill directory and its output buffer. */
    @State(Scope.Thread)
    public static class Slot implements PgOutputSink {
        Path spillDir;
        final ByteBuf out = Unpooled.directBuffer(64 * 1024);
        PgOutputEncoder encoder;
        long bytes;
        long messages;

        @Setup(Level.Trial)
        public void setUp() {
            spillDir = BenchFiles.newDir("lrep-slot");
            encoder = new PgOutputEncoder(1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            out.release();
            BenchFiles.deleteRecursively(spillDir);
        }

        @Override
        public void send(PgOutputMessage message, long walPosition) {
            // CopyData payload: XLogData header, then the pgoutput message, written out at once
            out.clear();
            XLogData.writeHeader(out, walPosition, walPosition, 0);
            encoder.encode(message, out);
            bytes += out.readableBytes();
            messages++;
        }
    }

    private long decodeAll(Slot slot) {
        PgOutputOptions options = PgOutputOptions.parse(List.of(new PluginOption("proto_version", "1"),
                new PluginOption("publication_names", "pub"), new PluginOption("binary", Boolean.toString(binary))));
        PgOutputPlugin plugin = new PgOutputPlugin(options, storage, NO_FILTERS, slot);
        try (LogicalDecoder decoder = new LogicalDecoder(wal, start, start, HistoricCatalog.of(tables), plugin,
                new LogicalDecoder.Options(64L * 1024 * 1024, slot.spillDir, false))) {
            while (decoder.position() < end) {
                if (decoder.decode(1024) == 0) {
                    throw new IllegalStateException("the decoder stopped at " + decoder.position() + " before " + end);
                }
            }
        }
        if (plugin.changesSent() != CHANGES) {
            throw new IllegalStateException("sent " + plugin.changesSent() + " changes (expected: " + CHANGES + ")");
        }
        return slot.bytes;
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(CHANGES)
    public long oneSlot(Slot slot) {
        return decodeAll(slot);
    }

    @Benchmark
    @Threads(4)
    @OperationsPerInvocation(CHANGES)
    public long fourSlots(Slot slot) {
        return decodeAll(slot);
    }
}
