package io.paygate.sandbox.ystpay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The simulator's own copy of Ystpay's crypto, written apart from the gateway's (the sandbox imports
 * nothing from the provider packages, so a shared mistake cannot hide): DSN, MD5 signatures and
 * AES/CBC/NoPadding with zero or PKCS#7 padding.
 */
final class SimYstCrypto {
    private SimYstCrypto() {
    }

    static String md5Upper(String text) {
        try {
            byte[] d = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String dsn(YstpaySimulator.Merchant m) {
        String inner = md5Upper(m.password());
        if (m.lowerInnerMd5()) {
            inner = inner.toLowerCase(Locale.ROOT);
        }
        return md5Upper(m.account().toLowerCase(Locale.ROOT) + m.privateKey() + inner);
    }

    /** The request key per the merchant's requestKey mode; the IV is its first 16 bytes. */
    static byte[] requestKey(YstpaySimulator.Merchant m) {
        byte[] text = m.privateKey().getBytes(StandardCharsets.UTF_8);
        return switch (m.requestKey()) {
            case "utf8" -> text;
            case "base64" -> Base64.getDecoder().decode(m.privateKey());
            default -> Arrays.copyOfRange(text, 0, 16);
        };
    }

    static byte[] answerKey(String dsn) {
        return dsn.substring(0, 16).getBytes(StandardCharsets.US_ASCII);
    }

    static String encrypt(String plain, byte[] key, boolean pkcs7) throws GeneralSecurityException {
        byte[] p = plain.getBytes(StandardCharsets.UTF_8);
        int padLength = pkcs7 ? 16 - p.length % 16 : (16 - p.length % 16) % 16;
        byte[] padded = Arrays.copyOf(p, p.length + padLength);
        if (pkcs7) {
            Arrays.fill(padded, p.length, padded.length, (byte) padLength);
        }
        Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(Arrays.copyOf(key, 16)));
        return Base64.getEncoder().encodeToString(c.doFinal(padded));
    }

    /** Null when the data cannot be decrypted to text. */
    static String decrypt(String base64, byte[] key, boolean pkcs7) {
        try {
            byte[] raw = Base64.getMimeDecoder().decode(base64);
            if (raw.length == 0 || raw.length % 16 != 0) {
                return null;
            }
            Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(Arrays.copyOf(key, 16)));
            byte[] plain = c.doFinal(raw);
            int end = plain.length;
            if (pkcs7) {
                int n = plain[end - 1];
                if (n < 1 || n > 16) {
                    return null;
                }
                end -= n;
            } else {
                while (end > 0 && plain[end - 1] == 0) {
                    end--;
                }
            }
            return new String(plain, 0, end, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    static boolean sameHex(String expected, String received) {
        return received != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                received.trim().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
}
