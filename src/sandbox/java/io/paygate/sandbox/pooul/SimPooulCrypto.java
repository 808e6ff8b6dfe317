package io.paygate.sandbox.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated Pooul's own signatures, written apart from the gateway's (which uses
 * nimbus-jose-jwt): MD5 over sorted {@code k=v&...&key=}, and a compact JWS built by hand with
 * {@code SHA256withRSA}. Also the sandbox's key files (PKCS#8 / X.509 PEM, generated on first use).
 */
final class SimPooulCrypto {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_IN = Base64.getUrlDecoder();
    private static final String JWS_HEADER = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";

    private SimPooulCrypto() {
    }

    static String md5Sign(JsonNode object, String key) {
        Map<String, String> sorted = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = object.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().equals("sign") || v.isNull()) {
                continue;
            }
            String text = v.isValueNode() ? v.asText() : v.toString();
            if (!text.isEmpty()) {
                sorted.put(e.getKey(), text);
            }
        }
        StringBuilder s = new StringBuilder();
        sorted.forEach((k, v) -> s.append(k).append('=').append(v).append('&'));
        s.append("key=").append(key);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(s.toString().getBytes(StandardCharsets.UTF_8))).toUpperCase(Locale.ROOT);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean md5Verify(JsonNode object, String given, String key) {
        return given != null && MessageDigest.isEqual(md5Sign(object, key).getBytes(StandardCharsets.US_ASCII),
                given.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    static String jwsSign(byte[] payload, PrivateKey key) {
        String input = B64URL.encodeToString(JWS_HEADER.getBytes(StandardCharsets.UTF_8)) + "." + B64URL.encodeToString(payload);
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64URL.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The payload of a compact RS256 JWS that verifies with {@code key}, or null. */
    static byte[] jwsVerify(String token, PublicKey key) {
        String[] parts = token.trim().split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        try {
            String header = new String(B64URL_IN.decode(parts[0]), StandardCharsets.UTF_8);
            if (!header.replace(" ", "").contains("\"alg\":\"RS256\"")) {
                return null;
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key);
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return rsa.verify(B64URL_IN.decode(parts[2])) ? B64URL_IN.decode(parts[1]) : null;
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return null;
        }
    }

    static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code <name>-private.pem} (PKCS#8, owner-only) and {@code <name>-public.pem} in dir, made on first use. */
    static KeyPair keyPair(Path dir, String name) throws IOException {
        Path priv = dir.resolve(name + "-private.pem");
        Path pub = dir.resolve(name + "-public.pem");
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            if (Files.isRegularFile(priv) && Files.isRegularFile(pub)) {
                return new KeyPair(rsa.generatePublic(new X509EncodedKeySpec(pem(pub))),
                        rsa.generatePrivate(new PKCS8EncodedKeySpec(pem(priv))));
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("sandbox key files " + name + "-*.pem in " + dir + " are unreadable; delete them to regenerate");
        }
        Files.createDirectories(dir);
        KeyPair kp = generate();
        writePem(priv, "PRIVATE KEY", kp.getPrivate().getEncoded(), true);
        writePem(pub, "PUBLIC KEY", kp.getPublic().getEncoded(), false);
        return kp;
    }

    static PublicKey readPublic(Path file) throws IOException {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(pem(file)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("not an X.509 RSA public key");
        }
    }

    private static byte[] pem(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "");
        return Base64.getMimeDecoder().decode(text.trim());
    }

    private static void writePem(Path file, String type, byte[] der, boolean secret) throws IOException {
        String body = "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the data folder's own permissions protect it
            }
        }
        Files.writeString(tmp, body, StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
