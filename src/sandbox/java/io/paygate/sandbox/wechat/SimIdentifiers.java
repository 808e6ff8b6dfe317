package io.paygate.sandbox.wechat;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Mints the identifiers and timestamps WeChat Pay issues, in WeChat's formats and time zone. */
final class SimIdentifiers {

    /** WeChat timestamps (time_end, time_start) are Beijing time without a zone marker. */
    static final ZoneId WECHAT_ZONE = ZoneId.of("Asia/Shanghai");

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    /** Refund times (success_time, refund_success_time_$n) are written the readable way. */
    private static final DateTimeFormatter READABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String HEX = "0123456789abcdef";
    private static final String DIGITS = "0123456789";

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    SimIdentifiers(Clock clock) {
        this.clock = clock.withZone(WECHAT_ZONE);
    }

    /** A fresh nonce_str for every answer, 32 characters like WeChat's own. */
    String nonce() {
        return randomText(ALPHANUMERIC, 32);
    }

    /** {@code wx} + issue time + 20 random hex digits: 36 characters, under WeChat's 64. */
    String prepayId() {
        return "wx" + now().format(SECONDS) + randomText(HEX, 20);
    }

    String codeUrl() {
        return "weixin://wxpay/bizpayurl?pr=" + randomText(ALPHANUMERIC, 7);
    }

    /** 28 digits: {@code 4200} + payment day + 16 random digits, the shape of real transaction ids. */
    String transactionId() {
        return "4200" + now().format(DAY) + randomText(DIGITS, 16);
    }

    /** 29 digits: {@code 5000} + refund day + 17 random digits, the shape of real refund ids. */
    String refundId() {
        return "5000" + now().format(DAY) + randomText(DIGITS, 17);
    }

    /** Now as WeChat writes refund times ({@code yyyy-MM-dd HH:mm:ss}, Asia/Shanghai). */
    String refundTime() {
        return now().format(READABLE);
    }

    /** Now as WeChat writes times ({@code yyyyMMddHHmmss}, Asia/Shanghai). */
    String timestamp() {
        return now().format(SECONDS);
    }

    private ZonedDateTime now() {
        return ZonedDateTime.now(clock);
    }

    private String randomText(String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
