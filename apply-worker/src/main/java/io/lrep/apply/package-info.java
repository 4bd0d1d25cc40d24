/** Applying a pgoutput stream to local storage: the apply worker loop and origin progress. */
package io.lrep.apply;
