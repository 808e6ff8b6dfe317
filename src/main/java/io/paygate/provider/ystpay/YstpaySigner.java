package io.paygate.provider.ystpay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The document's MD5 values, all UTF-8 and upper-case hex (§1.3): the device serial number
 * {@code dsn = MD5(lower(account) + privateKey + md5(password))}, the request signature
 * {@code MD5(privateKey + dsn + data)} and the answer signature {@code MD5(dsn + timestamp + data)},
 * where {@code data} is the base64 text exactly as sent or received. Pure functions, no I/O.
 */
public final class YstpaySigner {
    private static final HexFormat UPPER = HexFormat.of().withUpperCase();

    private YstpaySigner() {
    }

    /** Upper-case hex MD5 of the UTF-8 bytes of the concatenated parts. */
    public static String md5(String... parts) {
        MessageDigest md = md5Digest();
        for (String p : parts) {
            md.update(p.getBytes(StandardCharsets.UTF_8));
        }
        return UPPER.formatHex(md.digest());
    }

    /**
     * @param lowerInner the case of the inner md5(password) hex: the document only says MD5 output is
     *                   upper case (§1.3), so upper is the default and lower a merchant setting
     */
    public static String dsn(String account, String privateKey, String password, boolean lowerInner) {
        String inner = md5(password);
        if (lowerInner) {
            inner = inner.toLowerCase(Locale.ROOT);
        }
        return md5(account.toLowerCase(Locale.ROOT), privateKey, inner);
    }

    public static String requestSignature(String privateKey, String dsn, String data) {
        return md5(privateKey, dsn, data);
    }

    public static String answerSignature(String dsn, String timestamp, String data) {
        return md5(dsn, timestamp, data);
    }

    /** Constant time; accepts the hex in either case (the document asks for upper case, a sender may differ). */
    public static boolean matches(String expectedUpperHex, String received) {
        if (received == null) {
            return false;
        }
        return MessageDigest.isEqual(expectedUpperHex.getBytes(StandardCharsets.US_ASCII),
                received.trim().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    private static MessageDigest md5Digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }
}
