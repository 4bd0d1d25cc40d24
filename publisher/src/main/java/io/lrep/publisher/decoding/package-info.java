/**
 * Logical decoding: the WAL stream turned into committed transactions, as PostgreSQL's decode.c
 * and reorderbuffer.c do. {@link io.lrep.publisher.decoding.LogicalDecoder} reads WAL records,
 * a {@link io.lrep.publisher.decoding.ReorderBuffer} collects them per transaction and hands
 * each to a {@link io.lrep.publisher.decoding.DecodingListener} at its commit, in commit order
 * (or streams it in progress), with every row's table shape taken from a
 * {@link io.lrep.publisher.decoding.HistoricCatalog} as of the change's LSN.
 */
package io.lrep.publisher.decoding;
