package io.paygate.events;

/**
 * Watches the outbox relay at its two crash-relevant points: after an event is prepared and before
 * it is sent, and after it is sent and before it is marked sent. The gateway itself installs
 * {@link #NONE}; the sandbox may install another one (docs/messaging.md).
 */
public interface RelayProbe {
    RelayProbe NONE = new RelayProbe() {
    };

    /** The event is committed in the ledger and about to be sent. */
    default void beforeSend(String eventId) {
    }

    /** The event was sent and is about to be marked sent. */
    default void afterSend(String eventId) {
    }
}
