package io.paygate.store;

/**
 * What the ledger did with a transition. {@code eventId} is set when the transition made an
 * event (written to the outbox in the same transaction).
 */
public record TransitionOutcome(Kind kind, OrderRecord order, String eventId) {
    public enum Kind {
        /** The status moved; a history row was written. */
        APPLIED,
        /** Same status as stored: facts filled in, no history row. */
        UNCHANGED,
        /** Not an allowed move (an old answer): recorded in the history, order unchanged. */
        STALE,
        /** The ledger has no such order. */
        NO_ORDER
    }
}
