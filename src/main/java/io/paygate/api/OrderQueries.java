package io.paygate.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Times;
import io.paygate.config.MerchantProfile;
import io.paygate.store.Ledger;
import io.paygate.store.OrderRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * Read side of the ledger over HTTP: one order with its history and deliveries, and the listing
 * by creation time for end-of-day reconciliation (keyset pages, stable while orders are added).
 */
public final class OrderQueries {
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final PaymentApi api;
    private final Ledger ledger;
    private final io.paygate.store.Refunds refunds;
    private final ObjectMapper json;

    public OrderQueries(PaymentApi api, Ledger ledger, io.paygate.store.Refunds refunds, ObjectMapper json) {
        this.api = api;
        this.ledger = ledger;
        this.refunds = refunds;
        this.json = json;
    }

    /** {@code GET /api/v1/payments/{merchant}/{orderId}}. */
    public void order(Exchange ex) {
        Optional<MerchantProfile> caller = authorized(ex);
        if (caller.isEmpty()) {
            return;
        }
        String orderId = ex.getMessage().getHeader("orderId", String.class);
        Optional<OrderRecord> found = ledger.find(caller.get().id(), orderId);
        found.ifPresent(o -> io.paygate.route.LogContext.order(ex, o.merchant(), o.orderId(), o.provider(), null));
        if (found.isEmpty()) {
            api.error(ex, 404, PaymentResult.builder().merchant(caller.get().id()).orderId(orderId),
                    PaymentError.of(ErrorCode.ORDER_NOT_FOUND, "no order " + orderId + " for merchant " + caller.get().id(), false));
            return;
        }
        OrderRecord o = found.get();
        PaymentResult view = view(o).refunds(refunds.of(o.merchant(), o.orderId())).history(ledger.history(o.merchant(), o.orderId()))
                .deliveries(ledger.deliveries(o.merchant(), o.orderId())).build();
        ApiAnswer.finish(ex, 200, api.write(view));
    }

    /** {@code GET /api/v1/payments/{merchant}?from=&to=&status=&limit=&cursor=}. */
    public void list(Exchange ex) {
        Optional<MerchantProfile> caller = authorized(ex);
        if (caller.isEmpty()) {
            return;
        }
        String merchant = caller.get().id();
        List<io.paygate.canonical.FieldError> problems = new java.util.ArrayList<>();
        Instant to = time(ex, "to", Instant.now(), problems);
        Instant from = time(ex, "from", to.minus(Duration.ofDays(1)), problems);
        PaymentStatus status = null;
        String s = ex.getMessage().getHeader("status", String.class);
        if (s != null) {
            try {
                status = PaymentStatus.valueOf(s);
            } catch (IllegalArgumentException e) {
                problems.add(new io.paygate.canonical.FieldError("status", "must be one of " + List.of(PaymentStatus.values())));
            }
        }
        int limit = DEFAULT_LIMIT;
        String l = ex.getMessage().getHeader("limit", String.class);
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
                if (limit < 1 || limit > MAX_LIMIT) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                problems.add(new io.paygate.canonical.FieldError("limit", "must be a whole number from 1 to " + MAX_LIMIT));
            }
        }
        Instant afterCreated = null;
        String afterOrder = null;
        String cursor = ex.getMessage().getHeader("cursor", String.class);
        if (cursor != null) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(" ", 2);
                afterCreated = Instant.parse(parts[0]);
                afterOrder = parts[1];
            } catch (RuntimeException e) {
                problems.add(new io.paygate.canonical.FieldError("cursor", "is not a cursor this gateway issued"));
            }
        }
        if (!problems.isEmpty()) {
            api.error(ex, 400, PaymentResult.builder().merchant(merchant), PaymentError.invalid(problems));
            return;
        }
        List<OrderRecord> page = ledger.list(merchant, from, to, status, afterCreated, afterOrder, limit + 1);
        ObjectNode out = json.createObjectNode();
        out.put("merchant", merchant);
        out.put("from", Times.format(from));
        out.put("to", Times.format(to));
        ArrayNode orders = out.putArray("orders");
        for (OrderRecord o : page.subList(0, Math.min(limit, page.size()))) {
            ObjectNode n = json.valueToTree(view(o).build());
            n.put("createdAt", Times.format(o.createdAt()));
            orders.add(n);
        }
        if (page.size() > limit) {
            OrderRecord last = page.get(limit - 1);
            out.put("nextCursor", Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (last.createdAt().toString() + " " + last.orderId()).getBytes(StandardCharsets.UTF_8)));
        }
        ApiAnswer.finish(ex, 200, api.write(out));
    }

    private static PaymentResult.Builder view(OrderRecord o) {
        return PaymentResult.builder().merchant(o.merchant()).provider(o.provider()).orderId(o.orderId())
                .status(o.status()).providerTradeId(o.providerTradeId()).channelTradeId(o.channelTradeId())
                .amount(o.amount()).paidAmount(o.paidAmount()).couponAmount(o.couponAmount())
                .paidAt(Times.format(o.paidAt())).attach(o.attach()).storeId(o.storeId());
    }

    private Optional<MerchantProfile> authorized(Exchange ex) {
        Optional<MerchantProfile> caller = api.authenticate(ex);
        if (caller.isEmpty()) {
            return caller;
        }
        String merchant = ex.getMessage().getHeader("merchant", String.class);
        if (!caller.get().id().equals(merchant)) {
            api.error(ex, 403, PaymentResult.builder(), PaymentError.of(ErrorCode.FORBIDDEN,
                    "the token does not belong to merchant " + merchant, false));
            return Optional.empty();
        }
        return caller;
    }

    private static Instant time(Exchange ex, String name, Instant dflt, List<io.paygate.canonical.FieldError> problems) {
        String v = ex.getMessage().getHeader(name, String.class);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(new io.paygate.canonical.FieldError(name, "must be an ISO-8601 time with offset, e.g. 2026-11-22T00:00:00+08:00"));
            return dflt;
        }
    }
}
