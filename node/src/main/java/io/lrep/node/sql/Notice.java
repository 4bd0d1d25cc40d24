package io.lrep.node.sql;

/** A NoticeResponse (severity NOTICE, WARNING, INFO...) that a statement raised, e.g. "relation \"t\" already exists, skipping". */
public record Notice(String severity, String sqlState, String message, String detail, String hint) {}
