package io.paygate.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RSA keys from PEM files, read once when the configuration loads: private keys as PKCS#8
 * ({@code BEGIN PRIVATE KEY}) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, what {@code openssl genrsa
 * -traditional} and many provider portals hand out), public keys as X.509 SubjectPublicKeyInfo
 * ({@code BEGIN PUBLIC KEY}), PKCS#1 ({@code BEGIN RSA PUBLIC KEY}) or bare base64 of either.
 *
 * <p>Errors name the configuration key and the file, never the key material.
 */
public final class PemKeys {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    /** AlgorithmIdentifier rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final int MIN_BITS = 2048;

    private PemKeys() {
    }

    /** A problem with one key; the message names what is wrong, never the key's content. */
    public static final class KeyProblem extends Exception {
        KeyProblem(String message) {
            super(message);
        }
    }

    public static RSAPrivateKey privateKey(Path file) throws KeyProblem {
        Block b = read(file);
        try {
            byte[] pkcs8 = switch (b.type()) {
                case "PRIVATE KEY" -> b.der();
                case "RSA PRIVATE KEY" -> pkcs1PrivateToPkcs8(b.der());
                case "ENCRYPTED PRIVATE KEY" -> throw new KeyProblem("is an encrypted private key; the gateway needs it "
                        + "unencrypted (openssl pkcs8 -topk8 -nocrypt -in in.pem -out out.pem) and protected by file permissions");
                default -> throw new KeyProblem("holds a '" + b.type() + "' block, not an RSA private key "
                        + "(BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)");
            };
            RSAPrivateKey key = (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            checkSize(key.getModulus().bitLength());
            return key;
        } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
            throw new KeyProblem("is not a readable RSA private key (PKCS#1 or PKCS#8 PEM expected)");
        }
    }

    public static RSAPublicKey publicKey(Path file) throws KeyProblem {
        Block b = read(file);
        try {
            byte[] spki = switch (b.type()) {
                case "PUBLIC KEY" -> b.der();
                case "RSA PUBLIC KEY" -> pkcs1PublicToSpki(b.der());
                case "" -> b.der().length > 2 && startsWithAlgorithm(b.der()) ? b.der() : pkcs1PublicToSpki(b.der());
                default -> throw new KeyProblem("holds a '" + b.type() + "' block, not an RSA public key "
                        + "(BEGIN PUBLIC KEY or BEGIN RSA PUBLIC KEY)");
            };
            RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
            checkSize(key.getModulus().bitLength());
            return key;
        } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
            throw new KeyProblem("is not a readable RSA public key (X.509 or PKCS#1 PEM expected)");
        }
    }

    private static void checkSize(int bits) throws KeyProblem {
        if (bits < MIN_BITS) {
            throw new KeyProblem("is an RSA key of " + bits + " bits; at least " + MIN_BITS + " are needed");
        }
    }

    private record Block(String type, byte[] der) {
    }

    private static Block read(Path file) throws KeyProblem {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new KeyProblem("not found");
        } catch (IOException e) {
            throw new KeyProblem("cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        Matcher m = BLOCK.matcher(text);
        try {
            if (m.find()) {
                return new Block(m.group(1).trim(), Base64.getMimeDecoder().decode(m.group(2).trim()));
            }
            String bare = text.trim();
            if (!bare.isEmpty() && bare.matches("[A-Za-z0-9+/=\\s]+")) {
                return new Block("", Base64.getMimeDecoder().decode(bare));
            }
        } catch (IllegalArgumentException e) {
            throw new KeyProblem("holds a PEM block that is not valid base64");
        }
        throw new KeyProblem("holds no PEM key (expected -----BEGIN ... KEY-----)");
    }

    /** Does this DER SEQUENCE start with an AlgorithmIdentifier (SubjectPublicKeyInfo) rather than an INTEGER (PKCS#1)? */
    private static boolean startsWithAlgorithm(byte[] der) {
        int i = 1;
        int first = der[i] & 0xff;
        i += first < 0x80 ? 1 : 1 + (first & 0x7f);
        return i < der.length && der[i] == 0x30;
    }

    /** PrivateKeyInfo ::= SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING (the PKCS#1 key) }. */
    static byte[] pkcs1PrivateToPkcs8(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.writeBytes(tlv(0x04, pkcs1));
        return tlv(0x30, body.toByteArray());
    }

    /** SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING (0 unused bits + the PKCS#1 key) }. */
    static byte[] pkcs1PublicToSpki(byte[] pkcs1) {
        byte[] bits = new byte[pkcs1.length + 1];
        System.arraycopy(pkcs1, 0, bits, 1, pkcs1.length);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(RSA_ALGORITHM);
        body.writeBytes(tlv(0x03, bits));
        return tlv(0x30, body.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
