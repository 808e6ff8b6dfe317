package io.paygate.canonical;

/** What told the gateway about a status: a notification, a query, or the answer to its own call. */
public enum Source { REQUEST, RESPONSE, QUERY, NOTIFY }
