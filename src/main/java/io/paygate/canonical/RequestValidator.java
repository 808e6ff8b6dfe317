package io.paygate.canonical;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Strict validation of a canonical request tree, reporting every bad field at once. Runs on the
 * parsed JSON rather than on a bound object, so that a string given for a number, a fraction, a
 * wrong type or an unknown field is named instead of stopping at the first error.
 */
public final class RequestValidator {
    private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9_\\-|*@.]{1,32}");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern REFUND_ID = Pattern.compile("[A-Za-z0-9_\\-|*@.]{1,64}");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final long MAX_AMOUNT = 100_000_000_000L;

    private static final Set<String> TOP = Set.of("version", "requestId", "merchant", "provider", "operation",
            "orderId", "amount", "currency", "method", "channel", "subject", "attach", "clientIp", "authCode", "payer",
            "h5", "expireAt", "deviceId", "operatorId", "storeId", "items", "notifyUrl", "refund");

    private final List<FieldError> errors = new ArrayList<>();
    private final Set<String> providers;

    private RequestValidator(Set<String> providers) {
        this.providers = Set.copyOf(providers);
    }

    /**
     * @param providers the installed providers' names (the provider modules found at start)
     */
    public static List<FieldError> validate(JsonNode root, Set<String> providers) {
        RequestValidator v = new RequestValidator(providers);
        v.check(root);
        return List.copyOf(v.errors);
    }

    private void check(JsonNode r) {
        if (r == null || !r.isObject()) {
            errors.add(new FieldError("(body)", "must be a JSON object"));
            return;
        }
        unknownFields(r, "", TOP);
        JsonNode version = r.get("version");
        if (version != null && !(version.isTextual() && version.asText().equals("1"))) {
            errors.add(new FieldError("version", "must be the string \"1\""));
        }
        string(r, "requestId", true, 1, 64);
        string(r, "merchant", true, 1, 64);
        oneOf(r, "provider", false, providers);
        Operation op = enumField(r, "operation", Operation.class, true);
        String orderId = string(r, "orderId", true, 1, 32);
        if (orderId != null && !ORDER_ID.matcher(orderId).matches()) {
            errors.add(new FieldError("orderId", "may hold only letters, digits and _-|*@."));
        }
        boolean pay = op == Operation.PAY;
        integer(r, "amount", "amount", pay, 1, MAX_AMOUNT);
        if (op != null && !pay && r.has("amount")) {
            errors.add(new FieldError("amount", "is only taken with operation PAY (a refund's amount goes in refund.amount)"));
        }
        String currency = string(r, "currency", false, 1, 3);
        if (currency != null && !currency.equals("CNY")) {
            errors.add(new FieldError("currency", "only CNY is accepted"));
        }
        PayMethod method = enumField(r, "method", PayMethod.class, pay);
        enumField(r, "channel", Channel.class, false);
        string(r, "subject", pay, 1, 128);
        string(r, "attach", false, 0, 127);
        String ip = string(r, "clientIp", false, 2, 45);
        if (ip != null && !IPV4.matcher(ip).matches() && !isIpv6(ip)) {
            errors.add(new FieldError("clientIp", "must be an IPv4 or IPv6 address"));
        }
        string(r, "authCode", method == PayMethod.MICRO, 1, 128);
        if (method != null && method != PayMethod.MICRO && r.has("authCode")) {
            errors.add(new FieldError("authCode", "is only taken with method MICRO"));
        }
        payer(r, method == PayMethod.JSAPI || method == PayMethod.MINIPROGRAM);
        h5(r);
        JsonNode expire = r.get("expireAt");
        if (expire != null) {
            if (!expire.isTextual()) {
                errors.add(new FieldError("expireAt", "must be a string"));
            } else {
                try {
                    OffsetDateTime t = OffsetDateTime.parse(expire.asText());
                    if (!t.toInstant().isAfter(java.time.Instant.now())) {
                        errors.add(new FieldError("expireAt", "is in the past"));
                    }
                } catch (DateTimeParseException e) {
                    errors.add(new FieldError("expireAt", "must be an ISO-8601 time with offset, e.g. 2026-11-22T09:30:00+08:00"));
                }
            }
        }
        string(r, "deviceId", false, 1, 64);
        string(r, "operatorId", false, 1, 64);
        string(r, "storeId", false, 1, 64);
        items(r);
        String notifyUrl = string(r, "notifyUrl", false, 1, 512);
        if (notifyUrl != null && !isHttpUrl(notifyUrl)) {
            errors.add(new FieldError("notifyUrl", "must be an http(s) URL"));
        }
        refund(r, op);
    }

    private void payer(JsonNode r, boolean required) {
        JsonNode p = r.get("payer");
        if (p == null) {
            if (required) {
                errors.add(new FieldError("payer", "is required for methods JSAPI and MINIPROGRAM"));
            }
            return;
        }
        if (!p.isObject()) {
            errors.add(new FieldError("payer", "must be an object"));
            return;
        }
        unknownFields(p, "payer.", Set.of("appId", "openId", "buyerId", "buyerLogonId"));
        for (String f : List.of("appId", "openId", "buyerId", "buyerLogonId")) {
            string(p, f, "payer." + f, false, 1, 128);
        }
        if (required && !p.has("openId") && !p.has("buyerId") && !p.has("buyerLogonId")) {
            errors.add(new FieldError("payer", "must name the buyer (openId, buyerId or buyerLogonId)"));
        }
    }

    private void h5(JsonNode r) {
        JsonNode h = r.get("h5");
        if (h == null) {
            return;
        }
        if (!h.isObject()) {
            errors.add(new FieldError("h5", "must be an object"));
            return;
        }
        unknownFields(h, "h5.", Set.of("type", "appName", "appId", "redirectUrl"));
        oneOf(h, "type", "h5.type", false, Set.of("IOS", "ANDROID", "WAP"));
        string(h, "appName", "h5.appName", false, 1, 128);
        string(h, "appId", "h5.appId", false, 1, 128);
        String url = string(h, "redirectUrl", "h5.redirectUrl", false, 1, 512);
        if (url != null && !isHttpUrl(url)) {
            errors.add(new FieldError("h5.redirectUrl", "must be an http(s) URL"));
        }
    }

    private void items(JsonNode r) {
        JsonNode items = r.get("items");
        if (items == null) {
            return;
        }
        if (!items.isArray()) {
            errors.add(new FieldError("items", "must be a list"));
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            String at = "items[" + i + "]";
            JsonNode it = items.get(i);
            if (!it.isObject()) {
                errors.add(new FieldError(at, "must be an object"));
                continue;
            }
            unknownFields(it, at + ".", Set.of("sku", "name", "unitPrice", "quantity"));
            string(it, "sku", at + ".sku", false, 1, 64);
            string(it, "name", at + ".name", true, 1, 128);
            integer(it, "unitPrice", at + ".unitPrice", true, 0, MAX_AMOUNT);
            integer(it, "quantity", at + ".quantity", true, 1, 1_000_000);
        }
    }

    private void refund(JsonNode r, Operation op) {
        JsonNode f = r.get("refund");
        boolean needed = op == Operation.REFUND;
        if (f == null) {
            if (needed) {
                errors.add(new FieldError("refund", "is required for operation REFUND"));
            }
            return;
        }
        if (op != null && op != Operation.REFUND && op != Operation.REFUND_QUERY) {
            errors.add(new FieldError("refund", "is only taken with operations REFUND and REFUND_QUERY"));
            return;
        }
        if (!f.isObject()) {
            errors.add(new FieldError("refund", "must be an object"));
            return;
        }
        unknownFields(f, "refund.", Set.of("refundId", "amount", "reason"));
        String id = string(f, "refundId", "refund.refundId", needed, 1, 64);
        if (id != null && !REFUND_ID.matcher(id).matches()) {
            errors.add(new FieldError("refund.refundId", "may hold only letters, digits and _-|*@."));
        }
        integer(f, "amount", "refund.amount", needed, 1, MAX_AMOUNT);
        string(f, "reason", "refund.reason", false, 1, 80);
    }

    private void unknownFields(JsonNode node, String prefix, Set<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!known.contains(n)) {
                errors.add(new FieldError(prefix + n, "unknown field"));
            }
        }
    }

    private String string(JsonNode node, String name, boolean required, int min, int max) {
        return string(node, name, name, required, min, max);
    }

    private String string(JsonNode node, String name, String path, boolean required, int min, int max) {
        JsonNode v = node.get(name);
        if (v == null) {
            if (required) {
                errors.add(new FieldError(path, "is required"));
            }
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(path, "must be a string"));
            return null;
        }
        String s = v.asText();
        int len = s.codePointCount(0, s.length());
        if (len < min || len > max) {
            errors.add(new FieldError(path, min == max ? "must be " + min + " characters"
                    : "must be " + min + " to " + max + " characters long"));
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                errors.add(new FieldError(path, "must not contain control characters"));
                return null;
            }
        }
        return s;
    }

    private void integer(JsonNode node, String name, String path, boolean required, long min, long max) {
        JsonNode v = node.get(name);
        if (v == null) {
            if (required) {
                errors.add(new FieldError(path, "is required"));
            }
            return;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            errors.add(new FieldError(path, v.isTextual() ? "must be a number, not a string (amounts are integers in fen)"
                    : "must be a whole number (amounts are integers in fen)"));
            return;
        }
        long n = v.asLong();
        if (n < min || n > max) {
            errors.add(new FieldError(path, "must be from " + min + " to " + max));
        }
    }

    private void oneOf(JsonNode node, String name, boolean required, Set<String> allowed) {
        oneOf(node, name, name, required, allowed);
    }

    private void oneOf(JsonNode node, String name, String path, boolean required, Set<String> allowed) {
        String s = string(node, name, path, required, 1, 64);
        if (s != null && !allowed.contains(s)) {
            errors.add(new FieldError(path, "must be one of " + String.join(", ", allowed.stream().sorted().toList())));
        }
    }

    private <E extends Enum<E>> E enumField(JsonNode node, String name, Class<E> type, boolean required) {
        String s = string(node, name, required, 1, 64);
        if (s == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(s)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name());
        }
        errors.add(new FieldError(name, "must be one of " + String.join(", ", names)));
        return null;
    }

    /** An IPv6 literal: eight hex groups, or fewer with one "::", the last two may be an IPv4 address. */
    static boolean isIpv6(String s) {
        if (!s.contains(":") || s.length() > 45) {
            return false;
        }
        int groups = 8;
        String head = s;
        int lastColon = s.lastIndexOf(':');
        String tail = s.substring(lastColon + 1);
        if (tail.contains(".")) {
            if (!IPV4.matcher(tail).matches()) {
                return false;
            }
            groups = 6;
            head = s.substring(0, lastColon + 1);
            if (head.endsWith(":") && !head.endsWith("::")) {
                head = head.substring(0, head.length() - 1);
            }
        }
        int compressed = head.indexOf("::");
        if (compressed != head.lastIndexOf("::")) {
            return false;
        }
        if (compressed < 0) {
            String[] parts = head.split(":", -1);
            return parts.length == groups && java.util.Arrays.stream(parts).allMatch(g -> HEX_GROUP.matcher(g).matches());
        }
        String left = head.substring(0, compressed);
        String right = head.substring(compressed + 2);
        String[] l = left.isEmpty() ? new String[0] : left.split(":", -1);
        String[] r = right.isEmpty() ? new String[0] : right.split(":", -1);
        return l.length + r.length < groups
                && java.util.Arrays.stream(l).allMatch(g -> HEX_GROUP.matcher(g).matches())
                && java.util.Arrays.stream(r).allMatch(g -> HEX_GROUP.matcher(g).matches());
    }

    private static boolean isHttpUrl(String s) {
        try {
            URI u = new URI(s);
            return u.getHost() != null && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()));
        } catch (Exception e) {
            return false;
        }
    }
}
