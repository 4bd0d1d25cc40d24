/**
 * Background workers in PostgreSQL's model: a {@link io.lrep.core.worker.BackgroundWorker} body,
 * its {@link io.lrep.core.worker.WorkerSpec} (start time, restart interval), and the
 * {@link io.lrep.core.worker.Supervisor} that registers, starts, restarts and stops workers and
 * hands out {@link io.lrep.core.worker.WorkerHandle}s.
 */
package io.lrep.core.worker;
