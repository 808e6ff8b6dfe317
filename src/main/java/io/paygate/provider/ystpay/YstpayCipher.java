package io.paygate.provider.ystpay;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES/CBC/NoPadding as the document asks (§1.3), so the padding is ours: {@link Padding#ZERO}
 * (default) fills the last block with 0x00 bytes (none when the text already fills it) and strips
 * trailing 0x00 bytes, which never end an XML document; {@link Padding#PKCS7} adds 1-16 bytes of
 * the pad length and checks every one of them when stripping. Ciphertext travels as standard
 * base64 with '=' padding on one line; line breaks and spaces in received base64 are ignored
 * (the document's own example wraps it), any other character outside the alphabet is refused.
 *
 * <p>A ciphertext that cannot be opened raises {@link Unreadable} with a message that says why and
 * never quotes key or text.
 */
public final class YstpayCipher {
    private static final int BLOCK = 16;

    public enum Padding { ZERO, PKCS7 }

    private YstpayCipher() {
    }

    /** Encrypts UTF-8 text; answers base64. */
    public static String encrypt(String plain, byte[] key, byte[] iv, Padding padding) {
        byte[] padded = pad(plain.getBytes(StandardCharsets.UTF_8), padding);
        return Base64.getEncoder().encodeToString(run(Cipher.ENCRYPT_MODE, key, iv, padded));
    }

    /** Decrypts base64 ciphertext to UTF-8 text, padding stripped. */
    public static String decrypt(String base64, byte[] key, byte[] iv, Padding padding) {
        if (base64 == null || base64.isBlank()) {
            throw new Unreadable("the encrypted data is empty");
        }
        byte[] cipherText;
        try {
            cipherText = Base64.getDecoder().decode(base64.replaceAll("[\\r\\n\\t ]", ""));
        } catch (IllegalArgumentException e) {
            throw new Unreadable("the encrypted data is not base64 (a character outside the alphabet, or cut short)");
        }
        if (cipherText.length == 0 || cipherText.length % BLOCK != 0) {
            throw new Unreadable("the encrypted data is " + cipherText.length
                    + " bytes, not a whole number of 16-byte AES blocks (truncated or not AES/CBC)");
        }
        byte[] plain = unpad(run(Cipher.DECRYPT_MODE, key, iv, cipherText), padding);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(plain)).toString();
        } catch (CharacterCodingException e) {
            throw new Unreadable("the decrypted data is not UTF-8 text: wrong key or IV, or another padding setting");
        }
    }

    static byte[] pad(byte[] plain, Padding padding) {
        if (padding == Padding.PKCS7) {
            int n = BLOCK - plain.length % BLOCK;
            byte[] out = Arrays.copyOf(plain, plain.length + n);
            Arrays.fill(out, plain.length, out.length, (byte) n);
            return out;
        }
        int rem = plain.length % BLOCK;
        return rem == 0 && plain.length > 0 ? plain : Arrays.copyOf(plain, plain.length + BLOCK - rem);
    }

    static byte[] unpad(byte[] padded, Padding padding) {
        if (padding == Padding.PKCS7) {
            int n = padded[padded.length - 1] & 0xff;
            if (n < 1 || n > BLOCK) {
                throw new Unreadable("the decrypted data has no valid PKCS#7 padding: wrong key, truncated data, "
                        + "or the provider pads with zeros (padding: zero)");
            }
            for (int i = padded.length - n; i < padded.length; i++) {
                if ((padded[i] & 0xff) != n) {
                    throw new Unreadable("the decrypted data has no valid PKCS#7 padding: wrong key, truncated data, "
                            + "or the provider pads with zeros (padding: zero)");
                }
            }
            return Arrays.copyOf(padded, padded.length - n);
        }
        int end = padded.length;
        while (end > 0 && padded[end - 1] == 0) {
            end--;
        }
        return Arrays.copyOf(padded, end);
    }

    private static byte[] run(int mode, byte[] key, byte[] iv, byte[] input) {
        try {
            Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            return c.doFinal(input);
        } catch (GeneralSecurityException e) {
            // Key or IV of the wrong size; the message names sizes only.
            throw new Unreadable("AES/CBC/NoPadding failed: key " + key.length + " bytes, IV " + iv.length + " bytes ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Ciphertext that cannot be opened; the message never quotes key, IV or data. */
    public static final class Unreadable extends RuntimeException {
        public Unreadable(String message) {
            super(message);
        }
    }
}
