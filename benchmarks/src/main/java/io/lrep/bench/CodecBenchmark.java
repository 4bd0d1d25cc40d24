package io.lrep.bench;

import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalRecordCodec;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The codec's share of an append: {@link WalRecordCodec#encodeFrame} (body encoding, padding and
 * the CRC32C of the frame) into a reused heap buffer, single-threaded, no ring and no disk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class CodecBenchmark {

    /** Framed record size in bytes. */
    @Param({"64", "512"})
    public int recordBytes;

    private WalRecord record;
    private ByteBuffer frame;
    private long lsn;

    @Setup(Level.Trial)
    public void setUp() {
        record = BenchFiles.messageOfFramedSize(recordBytes);
        frame = ByteBuffer.allocate(recordBytes);
        if (WalRecordCodec.frameSize(record) != recordBytes) {
            throw new IllegalStateException("framed size " + WalRecordCodec.frameSize(record) + " (expected: " + recordBytes + ")");
        }
    }

    @Benchmark
    public int encodeFrame() {
        frame.clear();
        lsn += recordBytes;
        return WalRecordCodec.encodeFrame(record, lsn, frame);
    }
}
