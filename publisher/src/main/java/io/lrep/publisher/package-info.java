/** Publications, replication slots, logical decoding and the pgoutput walsender. */
package io.lrep.publisher;
