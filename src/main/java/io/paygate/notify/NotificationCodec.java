package io.paygate.notify;

import io.paygate.config.MerchantProfile;

/**
 * The seam between a provider's notifications and the gateway (docs/decisions/0002-seams.md):
 * raw bytes plus the merchant's profile → a verified {@link Notice} (or one to confirm by query),
 * and the provider's exact replies. A codec never touches the store; the notification pipeline
 * applies the notice through the ledger and only then sends {@link #successReply()}.
 */
public interface NotificationCodec {

    /** The provider's name in {@code /notify/{provider}/{merchant}}. */
    String provider();

    /**
     * Parses (XXE-safe), verifies with the merchant's configured credentials and maps.
     *
     * @throws NoticeRejected when the bytes are not a genuine notification for this merchant
     */
    Notice decode(byte[] raw, MerchantProfile profile);

    /** The exact bytes that tell the provider the notification was taken (it stops re-sending). */
    byte[] successReply();

    /** The exact bytes that tell the provider it was not taken (it sends again later). */
    byte[] failureReply(String reason);

    /** Content type of both replies. */
    String replyContentType();
}
