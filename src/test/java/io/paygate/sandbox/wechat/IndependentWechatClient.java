package io.paygate.sandbox.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The tests' own WeChat Pay v2 client: signing, XML and TLS set up here from the public rules and
 * the generated files, never with the simulator's classes, so a shared mistake cannot make both
 * sides agree.
 */
final class IndependentWechatClient {

    static final String MCH_ID = "1900000109";
    static final String APP_ID = "wx8888888888888888";
    static final String API_KEY = "8934e7d15453e97507ef794cf7b0519d";
    static final String OTHER_MCH_ID = "1900000110";
    static final String OTHER_APP_ID = "wx9999999999999999";
    static final String OTHER_API_KEY = "0123456789abcdef0123456789abcdef";

    private static final Pattern CDATA_FIELD = Pattern.compile("<([a-z_0-9]+)><!\\[CDATA\\[(.*?)]]></\\1>", Pattern.DOTALL);

    private final HttpClient http;
    private final String baseUrl;

    private IndependentWechatClient(HttpClient http, String baseUrl) {
        this.http = http;
        this.baseUrl = baseUrl;
    }

    static IndependentWechatClient plain(int port) {
        return new IndependentWechatClient(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                "http://127.0.0.1:" + port);
    }

    /** HTTPS trusting {@code caPem}, presenting the PKCS12's certificate when one is given. */
    static IndependentWechatClient tls(int port, Path caPem, Path pkcs12, String password) throws Exception {
        return new IndependentWechatClient(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .sslContext(sslContext(caPem, pkcs12, password)).build(), "https://127.0.0.1:" + port);
    }

    static SSLContext sslContext(Path caPem, Path pkcs12, String password) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trusted.setCertificateEntry("sandbox-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        X509KeyManager[] keys = null;
        if (pkcs12 != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(pkcs12)) {
                store.load(in, password.toCharArray());
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password.toCharArray());
            String alias = Collections.list(store.aliases()).get(0);
            keys = new X509KeyManager[] {new AlwaysPresent((X509KeyManager) factory.getKeyManagers()[0], alias)};
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, trust.getTrustManagers(), null);
        return context;
    }

    /** Signed request XML; answers as a field map (every value must be CDATA, as WeChat writes). */
    Map<String, String> call(String path, Map<String, String> fields, String apiKey) throws Exception {
        return readXml(post(path, signedXml(fields, apiKey)));
    }

    Map<String, String> call(String path, Map<String, String> fields) throws Exception {
        return call(path, fields, API_KEY);
    }

    String post(String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "text/xml; charset=UTF-8")
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as("HTTP status of %s", path).isEqualTo(200);
        return response.body();
    }

    /** A control call; answers status and body. */
    HttpResponse<String> control(String method, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> common() {
        return common(MCH_ID, APP_ID);
    }

    static Map<String, String> common(String mchId, String appId) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("appid", appId);
        fields.put("mch_id", mchId);
        fields.put("nonce_str", UUID.randomUUID().toString().replace("-", ""));
        return fields;
    }

    static Map<String, String> micropay(String outTradeNo, String authCode, long totalFee) {
        Map<String, String> fields = common();
        fields.put("body", "sandbox counter");
        fields.put("out_trade_no", outTradeNo);
        fields.put("total_fee", Long.toString(totalFee));
        fields.put("spbill_create_ip", "127.0.0.1");
        fields.put("auth_code", authCode);
        fields.put("device_info", "POS-1");
        return fields;
    }

    static Map<String, String> byOrder(String outTradeNo) {
        Map<String, String> fields = common();
        fields.put("out_trade_no", outTradeNo);
        return fields;
    }

    static Map<String, String> refund(String outTradeNo, String outRefundNo, long totalFee, long refundFee) {
        Map<String, String> fields = byOrder(outTradeNo);
        fields.put("out_refund_no", outRefundNo);
        fields.put("total_fee", Long.toString(totalFee));
        fields.put("refund_fee", Long.toString(refundFee));
        return fields;
    }

    static String signedXml(Map<String, String> fields, String apiKey) throws Exception {
        Map<String, String> signed = new LinkedHashMap<>(fields);
        signed.put("sign", md5Sign(fields, apiKey));
        StringBuilder xml = new StringBuilder("<xml>");
        signed.forEach((name, value) -> xml.append('<').append(name).append('>')
                .append(value.replace("&", "&amp;").replace("<", "&lt;")).append("</").append(name).append('>'));
        return xml.append("</xml>").toString();
    }

    /** WeChat v2 MD5 signing, from the published rule. */
    static String md5Sign(Map<String, String> fields, String apiKey) throws Exception {
        String text = fields.entrySet().stream()
                .filter(field -> !field.getKey().equals("sign") && field.getValue() != null && !field.getValue().isEmpty())
                .sorted(Map.Entry.comparingByKey())
                .map(field -> field.getKey() + "=" + field.getValue())
                .collect(Collectors.joining("&")) + "&key=" + apiKey;
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("MD5")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    static String hmacSign(Map<String, String> fields, String apiKey) throws Exception {
        String text = fields.entrySet().stream()
                .filter(field -> !field.getKey().equals("sign") && !field.getValue().isEmpty())
                .sorted(Map.Entry.comparingByKey())
                .map(field -> field.getKey() + "=" + field.getValue())
                .collect(Collectors.joining("&")) + "&key=" + apiKey;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(apiKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().withUpperCase().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    static Map<String, String> readXml(String xml) {
        return readXml(xml, "xml");
    }

    static Map<String, String> readXml(String xml, String root) {
        assertThat(xml).startsWith("<" + root + ">").endsWith("</" + root + ">");
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher matcher = CDATA_FIELD.matcher(xml);
        while (matcher.find()) {
            fields.put(matcher.group(1), matcher.group(2));
        }
        return fields;
    }

    /** Presents its one certificate whatever issuers the server names, so a foreign CA's reaches the server. */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509KeyManager keys;
        private final String alias;

        AlwaysPresent(X509KeyManager keys, String alias) {
            this.keys = keys;
            this.alias = alias;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return alias;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return alias;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {alias};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String name) {
            return keys.getCertificateChain(name);
        }

        @Override
        public PrivateKey getPrivateKey(String name) {
            return keys.getPrivateKey(name);
        }
    }
}
