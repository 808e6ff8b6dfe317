package io.paygate.notify;

/**
 * A notification that must change nothing: unreadable, forged, tampered, or for another merchant.
 * The message is for the log and never quotes the notification's content.
 */
public final class NoticeRejected extends RuntimeException {
    public NoticeRejected(String reason) {
        super(reason);
    }
}
