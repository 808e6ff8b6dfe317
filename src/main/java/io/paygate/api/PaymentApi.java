package io.paygate.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.FieldError;
import io.paygate.canonical.Json;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.RequestValidator;
import io.paygate.canonical.Source;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.OrderSnapshot;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.ProviderConnector;
import io.paygate.route.RouteProperties;
import io.paygate.store.DuplicateOrderException;
import io.paygate.store.IdempotencyStore;
import io.paygate.store.IdempotencyStore.Claim;
import io.paygate.store.Ledger;
import io.paygate.store.OrderRecord;
import io.paygate.store.Transition;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The canonical API steps shared by every entry route (HTTP and JMS): authenticate, parse,
 * authorize, validate, claim the idempotency key and record the order intent, then, after the
 * provider route, apply the result to the ledger and store the answer for replays.
 *
 * <p>Checks run in the contract's order: authentication (401), parse (400), authorization (403),
 * fields (400), idempotency (409).
 */
public final class PaymentApi {
    private static final Logger LOG = LoggerFactory.getLogger(PaymentApi.class);
    private static final String BEARER = "Bearer ";

    private final MerchantDirectory merchants;
    private final ProviderCalls calls;
    private final Ledger ledger;
    private final IdempotencyStore idempotency;
    private final io.paygate.store.Refunds refunds;
    private final io.paygate.store.ReconcileQueue reconcileQueue;
    /** How long a till's barcode payment is held from creation: its call's timeouts and its provider's wait. */
    private final java.util.function.Function<ProviderCall, Duration> microHold;
    private final io.paygate.store.Database db;
    private final ObjectMapper json;
    private final int maxBodyBytes;
    private final Duration inFlightWait;
    private volatile java.util.function.BooleanSupplier stopping = () -> false;

    public PaymentApi(MerchantDirectory merchants, ProviderCalls calls, io.paygate.store.Database db,
                      Ledger ledger, io.paygate.store.Refunds refunds, IdempotencyStore idempotency, ObjectMapper json,
                      int maxBodyBytes, Duration inFlightWait, io.paygate.store.ReconcileQueue reconcileQueue,
                      java.util.function.Function<ProviderCall, Duration> microHold) {
        this.db = db;
        this.reconcileQueue = reconcileQueue;
        this.microHold = microHold;
        this.refunds = refunds;
        this.merchants = merchants;
        this.calls = calls;
        this.ledger = ledger;
        this.idempotency = idempotency;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
        this.inFlightWait = inFlightWait;
    }

    /** While this says so (a graceful stop), new HTTP requests are answered 503 with nothing done. */
    public void refuseWhen(java.util.function.BooleanSupplier stopping) {
        this.stopping = stopping;
    }

    /** Everything before the provider call. Leaves {@link ApiAnswer#DONE} set when the answer is already known. */
    public void accept(Exchange ex) {
        // A stopping gateway takes no new HTTP request (a JMS consumer is suspended by Camel instead,
        // so the broker hands the message to another consumer). Nothing is recorded: the same
        // requestId sent to another instance, or again later, is processed as new.
        if (stopping.getAsBoolean() && ex.getMessage().getHeader(Exchange.HTTP_METHOD) != null) {
            error(ex, 503, PaymentResult.builder(), PaymentError.of(ErrorCode.PROVIDER_UNAVAILABLE,
                    "the gateway is stopping; send the request to another instance, or again in a moment", true));
            return;
        }
        Optional<MerchantProfile> caller = authenticate(ex);
        if (caller.isEmpty()) {
            return;
        }
        MerchantProfile profile = caller.get();
        String contentType = ex.getMessage().getHeader("Content-Type", String.class);
        if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            error(ex, 415, PaymentResult.builder(), PaymentError.invalid(List.of(new FieldError("Content-Type",
                    "must be application/json (curl: -H 'Content-Type: application/json')"))));
            return;
        }
        byte[] raw = ex.getMessage().getBody(byte[].class);
        if (raw != null && raw.length > maxBodyBytes) {
            error(ex, 413, PaymentResult.builder(), PaymentError.invalid(List.of(new FieldError("(body)",
                    "is larger than " + maxBodyBytes + " bytes"))));
            return;
        }
        JsonNode tree;
        try {
            tree = raw == null || raw.length == 0 ? null : json.readTree(raw);
        } catch (IOException e) {
            // Jackson's message quotes the input: never echo it.
            RouteProperties.UNPARSEABLE.set(ex, true);
            error(ex, 400, PaymentResult.builder(), PaymentError.invalid(List.of(new FieldError("(body)",
                    "is not valid JSON"))));
            return;
        }
        if (tree == null || !tree.isObject()) {
            RouteProperties.UNPARSEABLE.set(ex, true);
            error(ex, 400, PaymentResult.builder(), PaymentError.invalid(List.of(new FieldError("(body)",
                    "must be a JSON object (a PaymentRequest)"))));
            return;
        }
        JsonNode merchantNode = tree.get("merchant");
        if (merchantNode != null && merchantNode.isTextual() && !merchantNode.asText().equals(profile.id())) {
            boolean known = merchants.byId(merchantNode.asText()).isPresent();
            error(ex, 403, PaymentResult.builder(), PaymentError.of(known ? ErrorCode.FORBIDDEN : ErrorCode.UNKNOWN_MERCHANT,
                    known ? "the token does not belong to merchant " + merchantNode.asText()
                            : "merchant " + merchantNode.asText() + " is not configured", false));
            return;
        }
        List<FieldError> problems = new ArrayList<>(RequestValidator.validate(tree, calls.providers()));
        if (!problems.isEmpty()) {
            error(ex, 400, partial(tree), PaymentError.invalid(problems));
            return;
        }
        PaymentRequest request;
        try {
            request = json.treeToValue(tree, PaymentRequest.class);
        } catch (JsonProcessingException e) {
            error(ex, 400, partial(tree), PaymentError.invalid(List.of(new FieldError("(body)", "does not match PaymentRequest"))));
            return;
        }
        // One transaction from the routing read to the claim: the order's stored provider (an order
        // stays with the provider that took it), the idempotency claim and, for a new PAY, the order
        // row, which commits with its claim or not at all (issue 17: one commit, not three).
        String hash = Json.contentHash(json, tree);
        // Only the request of this process that holds the key in memory may claim it: a second copy
        // arriving meanwhile (an HTTP retry, the same request on JMS) waits for the first to end,
        // so a record of this process's own is taken over as cut off only when nobody works on it.
        if (!awaitKey(ex, request)) {
            error(ex, 409, PaymentResult.answering(request), PaymentError.of(ErrorCode.DUPLICATE_REQUEST,
                    "requestId " + request.requestId() + " is still being processed; send it again later", true));
            return;
        }
        boolean begun = true;
        Intake intake = intake(request, profile, hash, begun);
        Routing routing = intake.routing();
        request = routing.request();
        if (routing.routed()) {
            // Validated: from here on the exchange's lines carry the request's own ids (docs/operations.md).
            io.paygate.route.LogContext.request(ex, request.merchant(), request.orderId(), request.requestId(),
                    request.provider());
            // DEBUG: at INFO the answer's line names the operation, method, amount and outcome (docs/operations.md, "Logs").
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} request received{}", request.operation(), details(request));
            }
            if (calls.connector(request.provider()).isPresent()) {
                RouteProperties.API_REQUEST.set(ex, request);
            }
        }
        if (routing.error() != null) {
            error(ex, routing.status(), PaymentResult.answering(request), routing.error());
            return;
        }
        Claim claim = intake.claim();
        if (claim.kind() == IdempotencyStore.Kind.IN_FLIGHT) {
            claim = waitInFlight(ex, request, hash, begun);
        }
        Operation providerOperation = request.operation();
        boolean orphaned = false;
        switch (claim.kind()) {
            case CONFLICT -> {
                error(ex, 409, PaymentResult.answering(request), PaymentError.of(ErrorCode.DUPLICATE_REQUEST,
                        "requestId " + request.requestId() + " was used before with other content", false));
                return;
            }
            case REPLAY -> {
                ApiAnswer.finish(ex, claim.httpStatus(), claim.body());
                return;
            }
            case IN_FLIGHT -> {
                error(ex, 409, PaymentResult.answering(request), PaymentError.of(ErrorCode.DUPLICATE_REQUEST,
                        "requestId " + request.requestId() + " is still being processed; send it again later", true));
                return;
            }
            case ORPHANED -> {
                // The first attempt died mid-call: the provider may have seen it. Never pay twice:
                // send the PAY again only where the provider answers a repeat with the same order
                // (WeChat's unifiedorder), else ask the provider what became of the order.
                // Sent again only while the ledger knows nothing more than the first attempt did
                // (no order, or UNKNOWN): an order the provider has reported on is asked after.
                PaymentRequest cut = request;
                boolean resend = cut.operation() == Operation.PAY
                        && calls.connector(cut.provider()).map(k -> k.payResendSafe(cut)).orElse(false)
                        && ledger.find(cut.merchant(), cut.orderId())
                                .map(o -> o.status() == io.paygate.canonical.PaymentStatus.UNKNOWN).orElse(true);
                LOG.warn("request {} of merchant {} was interrupted (a restart, or the store's loss); resolving it by {}",
                        request.requestId(), request.merchant(), resend ? "sending it again" : "query");
                orphaned = true;
                if (request.operation() == Operation.PAY) {
                    providerOperation = resend ? Operation.PAY : Operation.QUERY;
                    if (ledger.find(request.merchant(), request.orderId()).isEmpty()) {
                        ledger.create(request);
                    }
                } else if (request.operation() == Operation.REFUND) {
                    // Not every provider has a merchant refund number that makes a second send
                    // harmless: learn what became of the refund instead.
                    providerOperation = Operation.REFUND_QUERY;
                }
            }
            case NEW -> {
                if (request.operation() == Operation.PAY) {
                    if (intake.duplicate() != null) {
                        // The order existed: the claim was completed with this answer in the same
                        // commit, so a replay of the requestId gets it again.
                        ApiAnswer.finish(ex, 409, intake.duplicateBody(), intake.duplicate());
                        return;
                    }
                    if (request.method() == io.paygate.canonical.PayMethod.MICRO) {
                        // The till's request holds its barcode payment from the start: no sweep
                        // queries or reverses it while the charge and the till's wait are under way.
                        // As long as the call may take (the merchant's own timeouts) and the wait.
                        java.time.Instant now = java.time.Instant.now();
                        Duration hold = microHold.apply(calls.call(request, profile, Operation.PAY, null, false));
                        reconcileQueue.claimOrder(request.merchant(), request.orderId(),
                                io.paygate.store.ReconcileQueue.requestOwner(request.merchant(), request.requestId()),
                                now, now.plus(hold));
                    }
                } else if (request.operation() == Operation.REFUND) {
                    PaymentRequest.Refund r = request.refund();
                    io.paygate.store.Refunds.Reservation reservation = refunds.reserve(request.merchant(),
                            request.orderId(), r.refundId(), r.amount(), r.reason(), request.requestId());
                    if (reservation.sentBefore()) {
                        // This refund was sent before: ask after it, never send it twice.
                        providerOperation = Operation.REFUND_QUERY;
                    }
                    if (reservation.refused().isPresent()) {
                        PaymentError e = reservation.refused().get();
                        completeWith(ex, request, e.code() == ErrorCode.INVALID_REQUEST ? 400 : 200,
                                PaymentResult.answering(request).error(e).build());
                        return;
                    }
                }
            }
            default -> throw new IllegalStateException(claim.kind().name());
        }
        OrderSnapshot order = request.operation() == Operation.PAY ? null
                : ledger.find(request.merchant(), request.orderId()).map(OrderRecord::snapshot).orElse(null);
        ProviderCalls.put(ex, calls.call(request, profile, providerOperation, order, orphaned));
    }

    /** The routing's outcome: the request with its provider, or the error that refuses it. */
    private record Routing(PaymentRequest request, boolean routed, int status, PaymentError error) {
        static Routing refused(PaymentRequest request, boolean routed, int status, PaymentError error) {
            return new Routing(request, routed, status, error);
        }
    }

    /**
     * What the intake transaction did: the routing, and when it let the request through, the claim;
     * for a new PAY of an order that existed, the DUPLICATE_ORDER answer stored with the claim.
     */
    private record Intake(Routing routing, Claim claim, PaymentResult duplicate, String duplicateBody) {
    }

    /**
     * Routing read, claim and (new PAY) order row in one transaction. When a concurrent request
     * creates the same order between the read and the insert, the transaction rolls back (neither
     * claim nor order stays) and runs again: then it sees the order and answers DUPLICATE_ORDER.
     */
    private Intake intake(PaymentRequest parsed, MerchantProfile profile, String hash, boolean begun) {
        for (int attempt = 1; ; attempt++) {
            try {
                return db.inTransaction(c -> {
                    Optional<String> stored = ledger.findIn(c, parsed.merchant(), parsed.orderId()).map(OrderRecord::provider);
                    Routing routing = route(parsed, profile, stored);
                    if (routing.error() != null) {
                        return new Intake(routing, null, null, null);
                    }
                    PaymentRequest r = routing.request();
                    Claim claim = idempotency.claimIn(c, r.merchant(), r.requestId(), hash, begun);
                    if (claim.kind() != IdempotencyStore.Kind.NEW || r.operation() != Operation.PAY) {
                        return new Intake(routing, claim, null, null);
                    }
                    if (stored.isPresent()) {
                        PaymentResult duplicate = PaymentResult.answering(r).error(PaymentError.of(ErrorCode.DUPLICATE_ORDER,
                                "order " + r.orderId() + " already exists; QUERY it, or PAY under a new orderId", false)).build();
                        String body = write(duplicate);
                        idempotency.completeIn(c, r.merchant(), r.requestId(), 409, body);
                        return new Intake(routing, claim, duplicate, body);
                    }
                    ledger.createIn(c, r);
                    return new Intake(routing, claim, null, null);
                });
            } catch (DuplicateOrderException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** The routing of a parsed, valid request: its provider and the checks that depend on it. */
    private Routing route(PaymentRequest request, MerchantProfile profile, Optional<String> stored) {
        FieldError unrouted = routingProblem(request, profile, stored);
        if (unrouted != null) {
            return Routing.refused(request, false, 400, PaymentError.invalid(List.of(unrouted)));
        }
        String provider = provider(request, profile, stored);
        request = request.withProvider(provider);
        List<FieldError> problems = new ArrayList<>();
        if (!profile.supports(provider)) {
            problems.add(new FieldError("provider", "merchant " + profile.id() + " has no " + provider + " settings"));
        }
        if (request.notifyUrl() != null && !profile.callbackHosts().contains(URI.create(request.notifyUrl()).getHost().toLowerCase(java.util.Locale.ROOT))) {
            problems.add(new FieldError("notifyUrl", "host is not one of the merchant's callbackHosts"));
        }
        if (!problems.isEmpty()) {
            return Routing.refused(request, true, 400, PaymentError.invalid(problems));
        }
        ProviderConnector connector = calls.connector(provider).orElse(null);
        if (connector == null) {
            return Routing.refused(request, true, 200, PaymentError.of(ErrorCode.UNSUPPORTED,
                    "provider " + provider + " is not available in this build", false));
        }
        Optional<PaymentError> refusal = connector.refuse(request, profile);
        if (refusal.isPresent()) {
            PaymentError e = refusal.get();
            return Routing.refused(request, true, e.code() == ErrorCode.INVALID_REQUEST ? 400 : 200, e);
        }
        return new Routing(request, true, 0, null);
    }

    /**
     * The provider of this request. An order the ledger holds stays with the provider that took it
     * for its whole life, whatever the merchant's routing rules say now; a new payment goes to the
     * provider it names, else to the merchant's first matching routing rule, else to its default.
     */
    private static String provider(PaymentRequest request, MerchantProfile profile, Optional<String> stored) {
        if (stored.isPresent()) {
            return stored.get();
        }
        if (request.provider() != null) {
            return request.provider();
        }
        return profile.route(request.channel(), request.method()).orElseThrow();
    }

    /** Why no provider can be chosen for the request, or null. */
    private static FieldError routingProblem(PaymentRequest request, MerchantProfile profile, Optional<String> stored) {
        if (stored.isPresent()) {
            if (request.operation() != Operation.PAY && request.provider() != null && !request.provider().equals(stored.get())) {
                return new FieldError("provider", "order " + request.orderId() + " was taken by provider " + stored.get()
                        + "; leave provider out or name " + stored.get());
            }
            return null;
        }
        if (request.provider() != null || profile.route(request.channel(), request.method()).isPresent()) {
            return null;
        }
        if (request.operation() != Operation.PAY) {
            return new FieldError("provider", "order " + request.orderId() + " is not in the gateway's ledger and merchant "
                    + profile.id() + " has no default provider: name the provider that holds it");
        }
        return new FieldError("channel", request.channel() == null
                ? "merchant " + profile.id() + " routes payments by channel: name the channel"
                : "no routing rule of merchant " + profile.id() + " matches channel " + request.channel() + " and method "
                        + request.method());
    }

    /** After the provider route: the result goes through the ledger, then is stored for replays. */
    public void complete(Exchange ex) {
        ProviderCall call = ProviderCalls.of(ex);
        PaymentRequest request = call.request();
        PaymentResult result = ex.getMessage().getBody(PaymentResult.class);
        Operation sent = call.operation();
        Source source = sent == Operation.QUERY || sent == Operation.REFUND_QUERY ? Source.QUERY : Source.RESPONSE;
        PaymentResult.Builder b = result.toBuilder().operation(request.operation()).requestId(request.requestId());
        int status = ApiAnswer.status(ex);
        try {
            // One transaction: the order's change, its event and the stored answer that reports it.
            String body = db.inTransaction(c -> {
                io.paygate.store.TransitionOutcome applied = null;
                if (result.status() != null && (sent == Operation.PAY || sent == Operation.QUERY || sent == Operation.CLOSE
                        || sent == Operation.REVERSE || sent == Operation.REFUND_QUERY)) {
                    applied = ledger.applyIn(c, new Transition(request.merchant(), request.orderId(), result.status(), source,
                            result.providerTradeId(), result.channelTradeId(), result.paidAmount(), result.couponAmount(),
                            io.paygate.canonical.Times.parse(result.paidAt()),
                            result.error() == null ? null : result.error().providerCode()));
                }
                if (sent == Operation.REFUND || sent == Operation.REFUND_QUERY) {
                    recordRefunds(c, request, result, sent, source, b,
                            RouteProperties.ANSWER_REJECTED.isTrue(ex), RouteProperties.NOTHING_SENT.isTrue(ex));
                }
                if (applied != null && applied.order() != null && !(sent == Operation.REFUND || sent == Operation.REFUND_QUERY)) {
                    // The transition read the order under its row lock, in this transaction, and
                    // nothing changed it since: its status is the one to answer, no second read.
                    b.status(applied.order().status());
                } else {
                    ledger.lock(c, request.merchant(), request.orderId()).ifPresent(o -> b.status(o.status()));
                }
                String json = write(b.build());
                idempotency.completeIn(c, request.merchant(), request.requestId(), status, json);
                return json;
            });
            ApiAnswer.finish(ex, status, body, b.build());
        } catch (RuntimeException e) {
            // The provider has answered but the ledger could not record it: the caller must not read
            // this as "nothing happened" (a second PAY would charge twice). The order's state is
            // unknown here; a QUERY, or the reconciliation, records it later.
            LOG.error("the answer to {} {} of merchant {} could not be recorded: {}", request.operation(),
                    request.requestId(), request.merchant(), e.toString());
            b.status(request.operation() == Operation.PAY ? io.paygate.canonical.PaymentStatus.UNKNOWN : null)
                    .error(PaymentError.of(ErrorCode.PROVIDER_ERROR, "the provider answered but the gateway could not "
                            + "record it; QUERY the order to learn its state", true));
            completeWith(ex, request, status, b.build());
        }
    }

    /**
     * The last line of a payment request's flow (routes/payment-api.yaml), its one INFO line before
     * the access line: the HTTP status, what the answer says (the order's status, or the error's
     * code) and, when the request was valid, its method and amount:
     * {@code PAY answered 200: SUCCESS (MICRO, 500 fen)}.
     */
    public void answered(Exchange ex) {
        PaymentResult answer = RouteProperties.ANSWER.get(ex);
        PaymentRequest request = RouteProperties.API_REQUEST.get(ex);
        Object operation = request != null ? request.operation() : answer != null ? answer.operation() : null;
        String outcome = answer == null ? "stored answer replayed"
                : answer.error() != null ? answer.error().code().name()
                : answer.status() != null ? answer.status().name() : "done";
        String details = request == null ? "" : details(request);
        LOG.info("{} answered {}: {}{}", operation == null ? "request" : operation, ApiAnswer.status(ex), outcome,
                details.isEmpty() ? "" : " (" + details.substring(2) + ")");
    }

    /** {@code ": MICRO, 500 fen"}, {@code ": MICRO"}, {@code ", 500 fen"} or nothing: what the request asked for. */
    private static String details(PaymentRequest request) {
        return (request.method() == null ? "" : ": " + request.method())
                + (request.amount() == null ? "" : ", " + request.amount() + " fen");
    }

    /**
     * The refunds the provider reported go through the refund ledger; the answer lists them as the
     * ledger holds them afterwards (the one asked for, or every refund of the order).
     */
    private void recordRefunds(java.sql.Connection c, PaymentRequest request, PaymentResult result, Operation sent,
                               Source source, PaymentResult.Builder b, boolean answerRejected, boolean nothingSent)
            throws java.sql.SQLException {
        String asked = request.refund() == null ? null : request.refund().refundId();
        boolean reported = result.refunds() != null && !result.refunds().isEmpty();
        if (reported) {
            for (PaymentResult.RefundInfo r : result.refunds()) {
                refunds.applyIn(c, request.merchant(), request.orderId(), r, source);
            }
        } else if (sent == Operation.REFUND && result.error() != null
                && (nothingSent || !answerRejected && refusedOutright(result.error()))) {
            // Nothing was sent (the connector refused the call, even with a retryable error), or the
            // provider refused it for good: no refund exists, so the same refundId may be sent later.
            // Kept PROCESSING, it would only ever be asked after (REFUND_QUERY), never sent.
            refunds.releaseIn(c, request.merchant(), asked, request.requestId());
        }
        List<PaymentResult.RefundInfo> known = refunds.ofIn(c, request.merchant(), request.orderId());
        b.refunds(asked == null ? known : known.stream().filter(r -> asked.equals(r.refundId())).toList());
    }

    /**
     * The provider's verified answer refused the refund for good (or nothing was sent): no refund
     * exists. A retryable refusal (SYSTEMERROR, BIZERR_NEED_RETRY: the provider may have taken it
     * and asks to call again with the same refund number), a timeout or an answer the gateway could
     * not use leave the outcome open: the reservation stays PROCESSING for REFUND_QUERY.
     */
    private static boolean refusedOutright(PaymentError e) {
        return switch (e.code()) {
            case TIMEOUT, PROVIDER_UNAVAILABLE, SIGNATURE_INVALID -> false;
            default -> !e.retryable();
        };
    }

    private void completeWith(Exchange ex, PaymentRequest request, int status, PaymentResult result) {
        String body = write(result);
        idempotency.complete(request.merchant(), request.requestId(), status, body);
        ApiAnswer.finish(ex, status, body, result);
    }

    /**
     * Waits up to gateway.api.in-flight-wait for an in-flight copy of the request to finish. While
     * another request of this process works on the same key, waits for its answer; when that one
     * fails without an answer (the store went away mid-request), its record is taken over as
     * {@code ORPHANED} and resolved as after a crash.
     */
    private Claim waitInFlight(Exchange ex, PaymentRequest r, String hash, boolean begun) {
        Claim claim = new Claim(IdempotencyStore.Kind.IN_FLIGHT, null, null);
        long deadline = System.nanoTime() + inFlightWait.toNanos();
        while (claim.kind() == IdempotencyStore.Kind.IN_FLIGHT && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            begun = begun || begin(ex, r);
            claim = idempotency.recheck(r.merchant(), r.requestId(), hash, begun);
        }
        return claim;
    }

    /**
     * Takes the request's key for this exchange, waiting up to gateway.idempotency.wait while another
     * exchange of this process holds it. False when it is still held then.
     */
    private boolean awaitKey(Exchange ex, PaymentRequest r) {
        long deadline = System.nanoTime() + inFlightWait.toNanos();
        while (!begin(ex, r)) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Notes that this exchange works on the request's key until it ends, if no other exchange of this process does. */
    private boolean begin(Exchange ex, PaymentRequest r) {
        if (!idempotency.begin(r.merchant(), r.requestId())) {
            return false;
        }
        ex.getExchangeExtension().addOnCompletion(new org.apache.camel.support.SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                idempotency.end(r.merchant(), r.requestId());
            }
        });
        return true;
    }

    /** The caller's profile from {@code Authorization: Bearer <token>}; answers 401 otherwise. */
    Optional<MerchantProfile> authenticate(Exchange ex) {
        String header = ex.getMessage().getHeader("Authorization", String.class);
        Optional<MerchantProfile> p = header != null && header.startsWith(BEARER)
                ? merchants.byToken(header.substring(BEARER.length()).trim()) : Optional.empty();
        p.ifPresent(profile -> {
            RouteProperties.API_MERCHANT.set(ex, profile.id());
            io.paygate.route.LogContext.order(ex, profile.id(), null, null, null);
        });
        if (p.isEmpty()) {
            error(ex, 401, PaymentResult.builder(), PaymentError.of(ErrorCode.UNAUTHORIZED,
                    "send Authorization: Bearer <the merchant's apiToken>", false));
            return p;
        }
        // A merchant's own broker login acts for that merchant alone, whatever token it holds.
        String bus = RouteProperties.BUS_MERCHANT.get(ex);
        if (bus != null && !bus.equals(p.get().id())) {
            LOG.warn("the broker login of merchant {} sent a request with the token of merchant {}: refused", bus, p.get().id());
            error(ex, 403, PaymentResult.builder(), PaymentError.of(ErrorCode.FORBIDDEN,
                    "the broker login of merchant " + bus + " may send requests for " + bus + " only", false));
            return Optional.empty();
        }
        return p;
    }

    /** The identifying fields a rejected request did carry, so the caller can match the answer. */
    private static PaymentResult.Builder partial(JsonNode tree) {
        PaymentResult.Builder b = PaymentResult.builder();
        if (tree.path("requestId").isTextual()) {
            b.requestId(tree.get("requestId").asText());
        }
        if (tree.path("merchant").isTextual()) {
            b.merchant(tree.get("merchant").asText());
        }
        if (tree.path("orderId").isTextual()) {
            b.orderId(tree.get("orderId").asText());
        }
        return b;
    }

    void error(Exchange ex, int status, PaymentResult.Builder b, PaymentError error) {
        PaymentResult result = b.error(error).build();
        ApiAnswer.finish(ex, status, write(result), result);
    }

    String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
