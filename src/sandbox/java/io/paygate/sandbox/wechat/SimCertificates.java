package io.paygate.sandbox.wechat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's own certificates, as WeChat Pay issues them to merchants: a CA, a server
 * certificate for 127.0.0.1/localhost, and one client certificate per merchant (CN = mch_id) in
 * {@code <dir>/<mch_id>.p12} with the password mch_id, WeChat's default. Made on the first start,
 * reused on later ones (re-made only when missing, expired or not issued by the CA on disk).
 *
 * <p>BouncyCastle only builds the X.509 structures; keys, signatures and PKCS12 come from the
 * JDK's own providers, and BouncyCastle is never registered as a provider.
 *
 * <p>Files: {@code ca.pem} (what a gateway trusts), {@code ca-key.pem}, {@code server.pem}
 * (server then CA certificate), {@code server-key.pem}, {@code <mch_id>.p12}. The keys are sandbox
 * keys, readable by the owner only where the file system allows it.
 */
final class SimCertificates {

    private static final Logger LOG = LoggerFactory.getLogger(SimCertificates.class);
    static final String CA_FILE = "ca.pem";
    private static final String CA_KEY_FILE = "ca-key.pem";
    private static final String SERVER_FILE = "server.pem";
    private static final String SERVER_KEY_FILE = "server-key.pem";
    /** An mch_id becomes a file name, so it may hold nothing that leaves the directory. */
    private static final Pattern FILE_SAFE_MCH_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Duration VALIDITY = Duration.ofDays(3650);
    /** A certificate that expires within this margin is made anew rather than reused. */
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);

    /** The result of looking at the certificate a caller presented on a {@code /secapi} path. */
    record ClientCheck(String mchId, String problem) {
        static ClientCheck verified(String mchId) {
            return new ClientCheck(mchId, null);
        }

        static ClientCheck refused(String problem) {
            return new ClientCheck(null, problem);
        }
    }

    private final Path dir;
    private final X509Certificate ca;
    private final PrivateKey serverKey;
    private final X509Certificate server;
    private final SecureRandom random = new SecureRandom();

    private SimCertificates(Path dir, X509Certificate ca, PrivateKey serverKey, X509Certificate server) {
        this.dir = dir;
        this.ca = ca;
        this.serverKey = serverKey;
        this.server = server;
    }

    /** Loads the directory's certificates, making whatever is missing or unusable. */
    static SimCertificates loadOrCreate(Path dir, Collection<String> mchIds) throws IOException {
        for (String mchId : mchIds) {
            if (!FILE_SAFE_MCH_ID.matcher(mchId).matches()) {
                throw new IllegalArgumentException("mch_id " + mchId
                        + " cannot name a certificate file: use letters, digits, '_' or '-' (at most 32)");
            }
        }
        Files.createDirectories(dir);
        try {
            Optional<Issued> existingCa = loadCa(dir);
            Issued ca = existingCa.orElseGet(() -> newCa(dir));
            Issued server = existingCa.flatMap(found -> loadServer(dir, found.certificate())).orElseGet(() -> newServer(dir, ca));
            SimCertificates certificates = new SimCertificates(dir, ca.certificate(), server.key(), server.certificate());
            for (String mchId : mchIds) {
                if (existingCa.isEmpty() || !certificates.clientFileUsable(mchId)) {
                    certificates.writeClient(mchId, ca);
                    LOG.info("sandbox WeChat: issued client certificate {}", certificates.clientFile(mchId));
                }
            }
            return certificates;
        } catch (GeneratingFailed e) {
            throw new IOException("cannot make the sandbox's TLS certificates in " + dir, e.getCause());
        }
    }

    Path caFile() {
        return dir.resolve(CA_FILE);
    }

    Path clientFile(String mchId) {
        return dir.resolve(mchId + ".p12");
    }

    /**
     * Server side of TLS: presents the server certificate and asks for (but does not demand) a
     * client certificate, so calls to paths without {@code /secapi} work without one and a
     * {@code /secapi} call without one gets WeChat's XML answer rather than a broken handshake.
     * Which client certificate is acceptable is decided per request by {@link #check}.
     */
    SSLContext serverContext() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new javax.net.ssl.KeyManager[] {new ServerKey(serverKey, new X509Certificate[] {server, ca})},
                new X509ExtendedTrustManager[] {new AnyClient(ca)}, random);
        return context;
    }

    /**
     * The server's one key and chain, handed to TLS as they are (a PKCS12 key store would encrypt
     * the key only for the key manager to decrypt it again, two slow password derivations on start).
     */
    private static final class ServerKey extends javax.net.ssl.X509ExtendedKeyManager {
        private static final String ALIAS = "server";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        ServerKey(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain;
        }

        private String ifType(String[] keyTypes) {
            if (keyTypes == null) {
                return ALIAS;
            }
            for (String type : keyTypes) {
                if (type != null && type.startsWith(key.getAlgorithm())) {
                    return ALIAS;
                }
            }
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return ifType(new String[] {keyType}) == null ? null : new String[] {ALIAS};
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
            return ifType(new String[] {keyType});
        }

        @Override
        public String chooseEngineServerAlias(String keyType, java.security.Principal[] issuers, SSLEngine engine) {
            return ifType(new String[] {keyType});
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }

    /** Is the presented chain's first certificate issued by our CA, valid, and whose is it? */
    ClientCheck check(SSLSession session) {
        java.security.cert.Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return ClientCheck.refused("请使用商户API证书: no client certificate was presented;"
                    + " /secapi requires the merchant's certificate <mch_id>.p12 issued by the sandbox");
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return ClientCheck.refused("证书错误: the client certificate is not an X.509 certificate");
        }
        try {
            leaf.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            return ClientCheck.refused("证书错误: the client certificate was not issued by the sandbox CA (" + CA_FILE + ")");
        }
        try {
            leaf.checkValidity();
        } catch (CertificateException e) {
            return ClientCheck.refused("证书已过期: the client certificate is expired or not yet valid");
        }
        return commonName(leaf).map(ClientCheck::verified)
                .orElseGet(() -> ClientCheck.refused("证书错误: the client certificate has no CN"));
    }

    // ---- loading -------------------------------------------------------------------------------

    private record Issued(PrivateKey key, X509Certificate certificate) {
    }

    /** Thrown inside generation steps (which run in lambdas) and unwrapped by {@link #loadOrCreate}. */
    private static final class GeneratingFailed extends RuntimeException {
        GeneratingFailed(Exception cause) {
            super(cause);
        }
    }

    private static Optional<Issued> loadCa(Path dir) {
        return loadPair(dir.resolve(CA_FILE), dir.resolve(CA_KEY_FILE))
                .filter(ca -> usable(ca.certificate()))
                .filter(ca -> {
                    try {
                        ca.certificate().verify(ca.certificate().getPublicKey());
                        return ca.certificate().getBasicConstraints() >= 0;
                    } catch (GeneralSecurityException e) {
                        return false;
                    }
                });
    }

    private static Optional<Issued> loadServer(Path dir, X509Certificate ca) {
        return loadPair(dir.resolve(SERVER_FILE), dir.resolve(SERVER_KEY_FILE))
                .filter(server -> usable(server.certificate()) && issuedBy(server.certificate(), ca));
    }

    private boolean clientFileUsable(String mchId) {
        Path file = clientFile(mchId);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, mchId.toCharArray());
            for (String alias : java.util.Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate leaf) {
                    return usable(leaf) && issuedBy(leaf, ca) && commonName(leaf).filter(mchId::equals).isPresent()
                            && store.getKey(alias, mchId.toCharArray()) != null;
                }
            }
            return false;
        } catch (IOException | GeneralSecurityException e) {
            return false;
        }
    }

    private static Optional<Issued> loadPair(Path certificateFile, Path keyFile) {
        if (!Files.isRegularFile(certificateFile) || !Files.isRegularFile(keyFile)) {
            return Optional.empty();
        }
        try {
            X509Certificate certificate;
            try (InputStream in = Files.newInputStream(certificateFile)) {
                certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            byte[] der = Base64.getMimeDecoder().decode(Files.readString(keyFile, StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", ""));
            PublicKey publicKey = certificate.getPublicKey();
            PrivateKey key = KeyFactory.getInstance(publicKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
            if (!pairs(key, publicKey)) {
                return Optional.empty();
            }
            return Optional.of(new Issued(key, certificate));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            return Optional.empty();
        }
    }

    /** The key file's key is the certificate's: a signature made with one verifies with the other. */
    private static boolean pairs(PrivateKey key, PublicKey publicKey) throws GeneralSecurityException {
        byte[] probe = "paygate-sandbox-key-check".getBytes(StandardCharsets.US_ASCII);
        java.security.Signature signer = java.security.Signature.getInstance(signature(key));
        signer.initSign(key);
        signer.update(probe);
        byte[] signed = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance(signature(key));
        verifier.initVerify(publicKey);
        verifier.update(probe);
        return verifier.verify(signed);
    }

    private static boolean usable(X509Certificate certificate) {
        try {
            certificate.checkValidity(Date.from(Instant.now().plus(RENEW_BEFORE)));
            return true;
        } catch (CertificateException e) {
            return false;
        }
    }

    private static boolean issuedBy(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Optional<String> commonName(X509Certificate certificate) {
        try {
            var names = new JcaX509CertificateHolder(certificate).getSubject().getRDNs(BCStyle.CN);
            if (names.length == 0) {
                return Optional.empty();
            }
            return Optional.of(IETFUtils.valueToString(names[0].getFirst().getValue()));
        } catch (CertificateException e) {
            return Optional.empty();
        }
    }

    // ---- making --------------------------------------------------------------------------------

    private static Issued newCa(Path dir) {
        KeyPair keys = ecKeys();
        X500Name name = name("PayGate Sandbox WeChat Pay CA");
        X509Certificate certificate = sign(builder(name, name, keys.getPublic())
                        .extension(Extension.basicConstraints, true, new BasicConstraints(true))
                        .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                keys.getPrivate());
        writePem(dir.resolve(CA_FILE), "CERTIFICATE", List.of(encoded(certificate)));
        writePem(dir.resolve(CA_KEY_FILE), "PRIVATE KEY", List.of(keys.getPrivate().getEncoded()));
        LOG.info("sandbox WeChat: made a new CA {}", dir.resolve(CA_FILE));
        return new Issued(keys.getPrivate(), certificate);
    }

    private static Issued newServer(Path dir, Issued ca) {
        KeyPair keys = ecKeys();
        GeneralNames addresses = new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")});
        X509Certificate certificate = sign(builder(issuerName(ca), name("127.0.0.1"), keys.getPublic())
                        .extension(Extension.subjectAlternativeName, false, addresses)
                        .extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                        .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature)),
                ca.key());
        writePem(dir.resolve(SERVER_FILE), "CERTIFICATE", List.of(encoded(certificate), encoded(ca.certificate())));
        writePem(dir.resolve(SERVER_KEY_FILE), "PRIVATE KEY", List.of(keys.getPrivate().getEncoded()));
        return new Issued(keys.getPrivate(), certificate);
    }

    private void writeClient(String mchId, Issued ca) {
        KeyPair keys = rsaKeys();
        X509Certificate certificate = sign(builder(issuerName(ca), name(mchId), keys.getPublic())
                        .extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                        .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)),
                ca.key());
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(mchId, keys.getPrivate(), mchId.toCharArray(),
                    new X509Certificate[] {certificate, ca.certificate()});
            Path file = clientFile(mchId);
            writeAtomically(file, out -> store.store(out, mchId.toCharArray()));
        } catch (IOException | GeneralSecurityException e) {
            throw new GeneratingFailed(e);
        }
    }

    /** A certificate builder with the extensions every sandbox certificate carries. */
    private static final class Draft {
        private final X509v3CertificateBuilder builder;

        Draft(X509v3CertificateBuilder builder) {
            this.builder = builder;
        }

        Draft extension(org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical,
                        org.bouncycastle.asn1.ASN1Encodable value) {
            try {
                builder.addExtension(oid, critical, value);
                return this;
            } catch (IOException e) {
                throw new GeneratingFailed(e);
            }
        }
    }

    private static Draft builder(X500Name issuer, X500Name subject, PublicKey publicKey) {
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial,
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, publicKey);
        Draft draft = new Draft(builder);
        try {
            draft.extension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(publicKey));
        } catch (GeneralSecurityException e) {
            throw new GeneratingFailed(e);
        }
        return draft;
    }

    /** SHA-256 with the issuer's key type: ECDSA for the CA made now, RSA for a CA kept from an earlier version. */
    private static String signature(PrivateKey issuerKey) {
        return "EC".equals(issuerKey.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    }

    private static X509Certificate sign(Draft draft, PrivateKey issuerKey) {
        try {
            // No setProvider: the JDK's own providers sign and parse.
            return new JcaX509CertificateConverter()
                    .getCertificate(draft.builder.build(new JcaContentSignerBuilder(signature(issuerKey)).build(issuerKey)));
        } catch (OperatorCreationException | CertificateException e) {
            throw new GeneratingFailed(e);
        }
    }

    private static X500Name issuerName(Issued ca) {
        try {
            return new JcaX509CertificateHolder(ca.certificate()).getSubject();
        } catch (CertificateException e) {
            throw new GeneratingFailed(e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "PayGate Sandbox")
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    /**
     * The CA's and the server's keys: EC P-256, made in milliseconds where an RSA-2048 key takes a
     * cold JVM hundreds of milliseconds (the sandbox makes them on its first start). The merchants'
     * client certificates stay RSA-2048, like the apiclient certificates WeChat Pay issues.
     */
    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new GeneratingFailed(e);
        }
    }

    private static KeyPair rsaKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new GeneratingFailed(e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateException e) {
            throw new GeneratingFailed(e);
        }
    }

    private static void writePem(Path file, String type, List<byte[]> blocks) {
        StringBuilder pem = new StringBuilder();
        Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (byte[] der : blocks) {
            pem.append("-----BEGIN ").append(type).append("-----\n")
                    .append(encoder.encodeToString(der)).append("\n-----END ").append(type).append("-----\n");
        }
        try {
            writeAtomically(file, out -> out.write(pem.toString().getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException | GeneralSecurityException e) {
            throw new GeneratingFailed(e);
        }
    }

    private interface Writing {
        void to(OutputStream out) throws IOException, GeneralSecurityException;
    }

    /** Written beside the target and moved over it, owner-only where POSIX permissions exist. */
    private static void writeAtomically(Path file, Writing writing) throws IOException, GeneralSecurityException {
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the directory's ACL applies.
            }
            try (OutputStream out = Files.newOutputStream(temp)) {
                writing.to(out);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Accepts any client certificate at the handshake (possession of its key is still proven by
     * TLS) and names the sandbox CA as the issuer it wants, so clients pick the right certificate.
     * {@link #check} then decides per request, which lets a refusal be WeChat's XML answer.
     */
    private static final class AnyClient extends X509ExtendedTrustManager {
        private final X509Certificate ca;

        AnyClient(X509Certificate ca) {
            this.ca = ca;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // decided per request
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // decided per request
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // decided per request
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the sandbox is a server only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("the sandbox is a server only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("the sandbox is a server only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {ca};
        }
    }
}
