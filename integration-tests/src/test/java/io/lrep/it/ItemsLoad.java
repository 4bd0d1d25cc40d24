package io.lrep.it;

import static io.lrep.it.Sql.execute;
import static io.lrep.it.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A table {@code items (id int PRIMARY KEY, v text)} replicated from one node to another, and a
 * writer on the publisher inserting rows 1, 2, 3, ... one autocommitted INSERT at a time until
 * {@link #stop} or {@link #close}.
 */
final class ItemsLoad implements AutoCloseable {

    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Future<Integer> writer;

    private ItemsLoad(TestNode pub) {
        writer = pool.submit(() -> {
            int n = 0;
            try (Connection w = pub.connect()) {
                while (!stop.get()) {
                    n++;
                    execute(w, "INSERT INTO items VALUES (" + n + ", 'row " + n + "')");
                }
            }
            return n;
        });
    }

    /**
     * Creates {@code items} on both nodes, publishes it as {@code pub}, subscribes to it as
     * {@code subscription} (copy_data = false), waits for its walsender, then starts the writer.
     */
    static ItemsLoad start(TestNode pub, Connection p, Connection s, String subscription, Duration wait) throws SQLException {
        execute(p, "CREATE TABLE items (id int PRIMARY KEY, v text)", "CREATE PUBLICATION pub FOR TABLE items");
        execute(s, "CREATE TABLE items (id int PRIMARY KEY, v text)");
        execute(s, "CREATE SUBSCRIPTION " + subscription + " CONNECTION '" + pub.conninfo() + "' PUBLICATION pub WITH (copy_data = false)");
        await().atMost(wait).until(() -> rows(p, "SELECT application_name FROM pg_stat_replication").equals(List.of(subscription)));
        return new ItemsLoad(pub);
    }

    /** Stops the writer and returns how many rows it inserted. */
    int stop(Duration wait) throws Exception {
        stop.set(true);
        return writer.get(wait.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        stop.set(true);
        pool.shutdownNow();
        try {
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("the writer stopped").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
